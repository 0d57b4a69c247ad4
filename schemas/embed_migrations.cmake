# Writes ${OUT}: every schemas/migrations/NNNN_name.sql as a C++ raw string, in order,
# so the binary carries its own schema. Re-run by the build whenever a .sql changes.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME_WE)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  file(READ "${f}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"shopstream_sql(${sql})shopstream_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from schemas/migrations by embed_migrations.cmake; do not edit.\n#include \"schemas/migrations.hpp\"\n\nnamespace shopstream::schemas {\n\nconst std::vector<Migration>& migrations() {\n  static const std::vector<Migration> all = {\n${body}  };\n  return all;\n}\n\n}  // namespace shopstream::schemas\n")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
