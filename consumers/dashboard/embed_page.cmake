# Writes ${OUT}: consumers/dashboard/index.html as a C++ raw string, so the binary serves
# the page with no files beside it. Re-run by the build whenever the page changes.
file(READ "${IN}" page)
file(WRITE "${OUT}.tmp" "// Generated from consumers/dashboard/index.html by embed_page.cmake; do not edit.\n#include \"consumers/dashboard/page.hpp\"\n\nnamespace shopstream::consumers::dashboard {\n\nstd::string_view page() {\n  static constexpr std::string_view html = R\"shopstream_page(${page})shopstream_page\";\n  return html;\n}\n\n}  // namespace shopstream::consumers::dashboard\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
