/* A C program using the installed C API: header from the include directory, library
 * found by pkg-config or CMake. Signs a delivery, verifies it with a prepared verifier,
 * checks a known refusal, and prints the version. */
#include <jobwire_c.h>

#include <stdio.h>
#include <string.h>

int main(void) {
  static const char body[] =
      "{\"id\":\"evt_1\",\"type\":\"video.completed\",\"data\":{\"id\":\"job_1\",\"status\":\"completed\"}}";
  static const char* const secrets[] = {"whsec_test_123"};
  const size_t secret_lens[] = {14};
  char sig[JOBWIRE_SIGNATURE_HEX_LEN + 1];
  char key[32];
  size_t len = 0;
  jobwire_verifier* verifier = NULL;
  const char* names[] = {"X-AI-Stats-Timestamp", "X-AI-Stats-Signature"};
  const size_t name_lens[] = {20, 20};
  const char* values[2];
  size_t value_lens[2];
  int st;

  if (strcmp(jobwire_error_name(JOBWIRE_E_SIGNATURE_MISMATCH), "signature_mismatch") != 0) return 1;
  if (jobwire_delivery_key(JOBWIRE_KIND_VIDEO, "progress", 8, 47.0, JOBWIRE_PROFILE_AI_STATS, key, sizeof key, &len) !=
          JOBWIRE_OK ||
      len != 17 || memcmp(key, "video.progress:50", len) != 0)
    return 1;

  if (jobwire_sign(secrets[0], secret_lens[0], "1781166600", 10, body, sizeof body - 1, sig, sizeof sig, &len) !=
      JOBWIRE_OK)
    return 1;
  if (jobwire_verifier_create(secrets, secret_lens, 1, &verifier) != JOBWIRE_OK) return 1;
  values[0] = "1781166600";
  value_lens[0] = 10;
  values[1] = sig;
  value_lens[1] = len;
  st = jobwire_verify(verifier, body, sizeof body - 1, names, name_lens, values, value_lens, 2, 1781166650,
                      JOBWIRE_DEFAULT_TOLERANCE, 0, JOBWIRE_PROFILE_AI_STATS, NULL);
  if (st != JOBWIRE_OK) return 1;
  st = jobwire_verify(verifier, body, sizeof body - 2, names, name_lens, values, value_lens, 2, 1781166650,
                      JOBWIRE_DEFAULT_TOLERANCE, 0, JOBWIRE_PROFILE_AI_STATS, NULL);
  jobwire_verifier_destroy(verifier);
  if (st != JOBWIRE_E_SIGNATURE_MISMATCH) return 1;
  printf("C consumer ok: jobwire %s, signature %.8s...\n", jobwire_version(), sig);
  return 0;
}
