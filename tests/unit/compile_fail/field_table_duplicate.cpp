// Compile-fail check (tests/unit/test_payload.cmake): a document's field table is built
// at compile time, and a table that names a field twice must not build (the second rule
// would never be reached, and a reader of the table would not know which one reads the
// field). Built twice: with distinct names it must compile (positive control); with
// JW_DUPLICATE the constant evaluation of the table must fail.
#include <jobwire/payload.hpp>

namespace {
struct doc {
  jobwire::text_field a, b;
};
using Ctx = jobwire::detail::plain_reading<doc>;
using Doc = doc;

#ifdef JW_DUPLICATE
#  define JW_SECOND_NAME "a"
#else
#  define JW_SECOND_NAME "b"
#endif

constexpr auto table = jobwire::detail::make_field_table<Ctx>({
    {"a", &jobwire::detail::plain_rule<Ctx, jobwire::detail::field_readers::text, &doc::a>},
    {JW_SECOND_NAME, &jobwire::detail::plain_rule<Ctx, jobwire::detail::field_readers::text, &doc::b>},
});
}  // namespace

int main() { return table.rules.size() == 2 ? 0 : 1; }
