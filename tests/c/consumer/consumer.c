/* A C program using the installed C API: header from the include directory, library
 * found by pkg-config or CMake. Checks a few known results and prints the version. */
#include <jobwire_c.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  char key[32];
  size_t len = 0;
  if (strcmp(jobwire_version(), "") == 0) return 1;
  if (strcmp(jobwire_error_name(JOBWIRE_E_SIGNATURE_MISMATCH), "signature_mismatch") != 0) return 1;
  if (jobwire_delivery_key(JOBWIRE_KIND_VIDEO, "progress", 8, 47.0, JOBWIRE_PROFILE_AI_STATS, key, sizeof key,
                           &len) != JOBWIRE_OK)
    return 1;
  if (len != 17 || memcmp(key, "video.progress:50", len) != 0) return 1;
  printf("C consumer ok: jobwire %s\n", jobwire_version());
  return 0;
}
