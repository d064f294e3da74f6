# The tiny-limits build (option JOBWIRE_TINY_LIMITS): every overridable resource limit,
# with the very small value that build compiles in. This list is the one place the values
# live; the top-level CMakeLists.txt adds them to jobwire's own targets only
# (jobwire_project_options, and the C API test programs), never to consumers. Tests read the
# macros themselves (json.hpp, verify.hpp, ... define the defaults when a macro is unset),
# so every limit test is written once and runs in both builds. docs/SECURITY.md lists the
# defaults beside these values.
#
# Why these values: each sits just above what the realistic fixtures in tests/data need
# where that is cheap (a delivery envelope nests 5 deep, holds up to ~35 members in one
# object and is 2-4 KiB), and far below the defaults everywhere, so the limit tests run
# at sizes a test can build in microseconds, and the few fixtures above a value (the
# 500-character response previews, over 256 string bytes) meet the limit error instead.
set(JOBWIRE_TINY_LIMIT_DEFINITIONS
  JOBWIRE_TINY_LIMITS=1
  JOBWIRE_JSON_DEFAULT_MAX_BYTES=8192u              # default 8 MiB
  JOBWIRE_JSON_DEFAULT_MAX_DEPTH=6u                 # default 64
  JOBWIRE_JSON_DEFAULT_MAX_STRING_BYTES=256u        # default 1 MiB
  JOBWIRE_JSON_DEFAULT_MAX_MEMBERS=48u              # default 10000
  JOBWIRE_VERIFY_DEFAULT_MAX_BODY_BYTES=4096u       # default 1 MiB
  JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS=8u # default 256
  JOBWIRE_SIGNATURE_DEFAULT_MAX_SECRETS=2u          # default 8
  JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURES=3u         # default 16
  JOBWIRE_WEBHOOK_DEFAULT_MAX_SIGNATURE_HEADER_BYTES=200u # default 2048
  JOBWIRE_WEBHOOK_DEFAULT_MAX_ID_BYTES=40u          # default 256
  JOBWIRE_DEDUP_DEFAULT_MAX_ENTRIES=32u             # default 65536
  JOBWIRE_OUTBOX_DEFAULT_MAX_ROWS=32u               # default 65536
)
