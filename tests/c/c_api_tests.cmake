# Tests of the C API, included from src/CMakeLists.txt (where the jobwire_c targets live).
#  - test_c_api.c, compiled as C against the shared and the static library; in sanitizer
#    builds it carries the same ASan+UBSan flags as the C++ targets;
#  - the exported symbol set of the shared library (only jobwire_*);
#  - the Python package's unittest suite against the freshly built shared library, and an
#    offline `pip install` of the package (not in sanitizer builds: the ASan runtime cannot
#    be loaded into an uninstrumented python);
#  - a C program built against the installed header, library and pkg-config file.
set(_jw_c_test_dir "${PROJECT_SOURCE_DIR}/tests/c")

set(_jw_c_sanitize_flags "")
set(_jw_c_sanitize_link "")
if(JOBWIRE_SANITIZE)
  set(_jw_c_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    # The library is C++: Clang's UBSan checks inside it (e.g. -fsanitize=function) call
    # into the C++ part of the sanitizer runtime, which the C driver does not link.
    set(_jw_c_sanitize_link -fsanitize-link-c++-runtime -lstdc++)
  endif()
endif()

foreach(_jw_variant shared static)
  set(_jw_t test_c_api_${_jw_variant})
  add_executable(${_jw_t} "${_jw_c_test_dir}/test_c_api.c")
  set_target_properties(${_jw_t} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                                            RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
  # OpenSSL's one-shot HMAC() is the test's independent reference for signatures.
  target_link_libraries(${_jw_t} PRIVATE jobwire_c_${_jw_variant} OpenSSL::Crypto Threads::Threads m)
  if(JOBWIRE_TINY_LIMITS)
    # The C test is a jobwire target: it sees the limits the library was built with
    # (jobwire_c.h's JOBWIRE_MAX_SECRETS follows them).
    target_compile_definitions(${_jw_t} PRIVATE ${JOBWIRE_TINY_LIMIT_DEFINITIONS})
  endif()
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${_jw_t} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wstrict-prototypes
                                            $<$<BOOL:${JOBWIRE_WERROR}>:-Werror> ${_jw_c_sanitize_flags})
    target_link_options(${_jw_t} PRIVATE ${_jw_c_sanitize_flags} ${_jw_c_sanitize_link})
  endif()
  add_test(NAME "c_api: C test (${_jw_variant} library)" COMMAND ${_jw_t})

  # The receiver (jobwire_receive) over every store the library has; Redis and PostgreSQL
  # when tests/services.sh exported their addresses.
  set(_jw_r test_c_receiver_${_jw_variant})
  add_executable(${_jw_r} "${_jw_c_test_dir}/test_c_receiver.c")
  set_target_properties(${_jw_r} PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
                                            RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
  target_link_libraries(${_jw_r} PRIVATE jobwire_c_${_jw_variant} OpenSSL::Crypto Threads::Threads m)
  if(CMAKE_C_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${_jw_r} PRIVATE -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wstrict-prototypes
                                            $<$<BOOL:${JOBWIRE_WERROR}>:-Werror> ${_jw_c_sanitize_flags})
    target_link_options(${_jw_r} PRIVATE ${_jw_c_sanitize_flags} ${_jw_c_sanitize_link})
  endif()
  add_test(NAME "c_api: receiver C test (${_jw_variant} library)" COMMAND ${_jw_r})
  set_tests_properties("c_api: receiver C test (${_jw_variant} library)" PROPERTIES TIMEOUT 120)
endforeach()

find_program(JOBWIRE_NM NAMES nm llvm-nm)
if(JOBWIRE_NM)
  add_test(NAME "c_api: shared library exports only jobwire_ symbols"
           COMMAND bash "${_jw_c_test_dir}/check_exports.sh" "${JOBWIRE_NM}" $<TARGET_FILE:jobwire_c_shared>)
endif()

find_package(Python3 3.8 COMPONENTS Interpreter)
if(Python3_Interpreter_FOUND AND NOT JOBWIRE_SANITIZE)
  set(_jw_py_dir "${PROJECT_SOURCE_DIR}/bindings/python")
  add_test(NAME "c_api: python unittest"
           COMMAND "${Python3_EXECUTABLE}" -m unittest discover -s tests -t . -v
           WORKING_DIRECTORY "${_jw_py_dir}")
  set(_jw_py_env "JOBWIRE_LIBRARY=$<TARGET_FILE:jobwire_c_shared>" "PYTHONDONTWRITEBYTECODE=1")
  if(JOBWIRE_TINY_LIMITS)
    list(APPEND _jw_py_env "JOBWIRE_TINY_LIMITS=1")  # tests/data/vectors: `expect_tiny`
  endif()
  if(TARGET jobwire_cli)
    # Lets the suite compare payload summaries with what `jobwire parse` prints.
    list(APPEND _jw_py_env "JOBWIRE_CLI=$<TARGET_FILE:jobwire_cli>")
  endif()
  set_tests_properties("c_api: python unittest" PROPERTIES ENVIRONMENT "${_jw_py_env}")
  add_test(NAME "c_api: python package installs offline"
           COMMAND bash "${_jw_c_test_dir}/pip_install.sh" "${Python3_EXECUTABLE}" "${_jw_py_dir}"
                   "${CMAKE_CURRENT_BINARY_DIR}/pip_install" $<TARGET_FILE:jobwire_c_shared>)
  set_tests_properties("c_api: python package installs offline" PROPERTIES TIMEOUT 900)
endif()

if(JOBWIRE_INSTALL)
  add_test(NAME "consumer: C program via pkg-config after install"
           COMMAND bash "${_jw_c_test_dir}/run_c_consumer.sh" "${PROJECT_BINARY_DIR}"
                   "${CMAKE_CURRENT_BINARY_DIR}/c_consumer" "${CMAKE_C_COMPILER}" "${_jw_c_sanitize_flags}"
                   "${_jw_c_sanitize_link}")
  set_tests_properties("consumer: C program via pkg-config after install" PROPERTIES TIMEOUT 600)
endif()
