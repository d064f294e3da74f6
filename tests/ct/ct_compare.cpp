// Constant-time check of the signature comparison (ctgrind method), run under valgrind
// memcheck by tests/ct/run_ct.sh.
//
// The MACs the receiver computes are secret until the outcome is decided: a comparison
// that branches on their bytes leaks, through timing, how much of a forged signature was
// right. Here both the expected MACs and the presented signature are marked *undefined*
// for memcheck; memcheck then reports "Conditional jump or move depends on uninitialised
// value(s)" for every branch (or memory index) that depends on them. Only the final
// outcome is declared defined again before it is used, exactly as a receiver uses it.
//
//   ct_compare jobwire    jobwire's comparison and rotation selection: must be clean
//   ct_compare branching  an early-exit byte loop: the negative control, memcheck must
//                         flag it (registered with WILL_FAIL), proving the method detects
//                         a comparison that branches on secret data
#include <cstdio>
#include <cstring>
#include <string_view>

#include <jobwire/signature.hpp>
#include <valgrind/memcheck.h>

namespace {

// The kind of comparison jobwire must not use: it stops at the first differing byte.
// `volatile` keeps the compiler from turning it into a library call or vector code.
bool branching_equal(const jobwire::mac_bytes& a, const jobwire::mac_bytes& b) {
  const volatile unsigned char* x = a.bytes;
  const volatile unsigned char* y = b.bytes;
  for (std::size_t i = 0; i < jobwire::mac_size; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

void fill(jobwire::mac_bytes& m, unsigned char seed) {
  for (std::size_t i = 0; i < jobwire::mac_size; ++i) m.bytes[i] = static_cast<unsigned char>(seed + i * 7);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode != "jobwire" && mode != "branching") {
    std::fprintf(stderr, "usage: ct_compare jobwire|branching\n");
    return 2;
  }
  if (!RUNNING_ON_VALGRIND) std::fprintf(stderr, "note: not running under valgrind; nothing is checked\n");

  // Several candidate secrets (rotation); the presented signature equals candidate 2, and
  // candidate 1 differs from it in the last byte only (the case an early exit leaks most).
  jobwire::mac_bytes candidates[4];
  for (unsigned char i = 0; i < 4; ++i) fill(candidates[i], static_cast<unsigned char>(i * 31));
  jobwire::mac_bytes presented = candidates[2];
  candidates[1] = presented;
  candidates[1].bytes[jobwire::mac_size - 1] ^= 1;

  VALGRIND_MAKE_MEM_UNDEFINED(candidates, sizeof candidates);
  VALGRIND_MAKE_MEM_UNDEFINED(&presented, sizeof presented);

  std::size_t matched = 4;
  bool equal_one = false;
  if (mode == "jobwire") {
    matched = jobwire::detail::select_matching_mac(candidates, 4, presented);
    equal_one = jobwire::mac_equal(candidates[1], presented);
  } else {
    for (std::size_t i = 4; i-- > 0;)
      if (branching_equal(candidates[i], presented)) matched = i;
    equal_one = branching_equal(candidates[1], presented);
  }

  // The outcome itself is public: the receiver answers 2xx or 4xx.
  VALGRIND_MAKE_MEM_DEFINED(&matched, sizeof matched);
  VALGRIND_MAKE_MEM_DEFINED(&equal_one, sizeof equal_one);
  std::printf("%s: matched=%zu equal_one=%d\n", argv[1], matched, equal_one ? 1 : 0);
  // The computation must also be right, or a "clean" run would prove nothing.
  return matched == 2 && !equal_one ? 0 : 3;
}
