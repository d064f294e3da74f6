/* The C tests' assertions (test_c_api.c, test_c_receiver.c): each check is counted, a
 * failed one is printed with its place and the run goes on; main() reports the totals.
 * Not thread-safe: check on the main thread. */
#ifndef JOBWIRE_TESTS_C_CHECK_H
#define JOBWIRE_TESTS_C_CHECK_H

#include <stdio.h>

#include "jobwire_c.h"

static int checks;
static int failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

/* Compares a status with the expected one and prints both names on mismatch. */
#define CHECK_STATUS(expr, expected)                                                                     \
  do {                                                                                                   \
    int got_ = (expr);                                                                                   \
    int want_ = (expected);                                                                              \
    ++checks;                                                                                            \
    if (got_ != want_) {                                                                                 \
      fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n", __FILE__, __LINE__, #expr, got_, \
              jobwire_error_name(got_), want_, jobwire_error_name(want_));                               \
      ++failures;                                                                                        \
    }                                                                                                    \
  } while (0)

#define S(lit) (lit), (sizeof(lit) - 1) /* a string literal as (pointer, length) */

#endif
