// How many descriptors each command asks for at start-up (raise_open_file_limit's wanted).
#include <doctest/doctest.h>

#include "common/startup.hpp"

using shopstream::open_files_wanted;

TEST_CASE("the open-file limit wanted counts one descriptor a connection of every server") {
  CHECK(open_files_wanted("ingress", 10'000) == 10'256);
  CHECK(open_files_wanted("sse", 10'000) == 10'256);
  // `all` runs the ingress and the SSE server, each up to its own cap.
  CHECK(open_files_wanted("all", 10'000) == 20'256);
  CHECK(open_files_wanted("all", 1) == 258);
  // Commands that serve no connections want nothing beyond the default.
  CHECK(open_files_wanted("reconcile", 10'000) == 0);
  CHECK(open_files_wanted("replay", 10'000) == 0);
  CHECK(open_files_wanted("project", 10'000) == 0);
}
