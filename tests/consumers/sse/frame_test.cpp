#include "consumers/sse/frame.hpp"

#include <doctest/doctest.h>

using namespace shopstream;
using namespace shopstream::consumers::sse;

namespace {
projections::Event event(std::string body, std::string key = "s.myshopify.com/42") {
  projections::Event e;
  e.key = std::move(key);
  e.value = std::move(body);
  e.headers = {{"x-shopify-topic", "orders/create"},
               {"x-shopify-shop-domain", "s.myshopify.com"},
               {"x-shopify-webhook-id", "w-1"},
               {"shopstream-received-at", "2026-01-01T00:00:00.000Z"},
               {"shopstream-source", "reconciler"}};
  return e;
}
}  // namespace

TEST_CASE("an event frame has id, event and one line of data") {
  auto f = format_event(event("{\n  \"id\": 42,\n  \"note\": \"a\\nb\"\r\n}"), "CUR");
  CHECK(f.starts_with("id: CUR\nevent: orders/create\ndata: {"));
  CHECK(f.ends_with("}\n\n"));
  auto data = f.substr(f.find("data: ") + 6);
  data.resize(data.size() - 2);
  CHECK(data.find('\n') == std::string::npos);
  CHECK(data.find("\"topic\":\"orders/create\"") != std::string::npos);
  CHECK(data.find("\"shop_domain\":\"s.myshopify.com\"") != std::string::npos);
  CHECK(data.find("\"id\":42,") != std::string::npos);
  CHECK(data.find("\"source\":\"reconciler\"") != std::string::npos);
  CHECK(data.find("\"received_at\":\"2026-01-01T00:00:00.000Z\"") != std::string::npos);
  CHECK(data.find("\"note\": \"a\\nb\"") != std::string::npos);  // escapes kept
}

TEST_CASE("ids that are not small numbers stay strings; non-JSON bodies become strings") {
  auto f = format_event(event("not json", "s.myshopify.com/gid://x"), "C");
  CHECK(f.find("\"id\":\"gid://x\"") != std::string::npos);
  CHECK(f.find("\"payload\":\"not json\"") != std::string::npos);
  auto shop_level = format_event(event("{}", "s.myshopify.com"), "C");
  CHECK(shop_level.find("\"id\":\"\"") != std::string::npos);
  CHECK(entity_of_key("s.myshopify.com/7") == "7");
}

TEST_CASE("comments cannot break the stream") {
  CHECK(format_comment("a\nb") == ": a b\n\n");
}

TEST_CASE("a frame's cursor is raised to a client's floor, and left alone once it covers it") {
  Position behind, floor, ahead;
  behind.offsets[0] = {3, 9};
  floor.offsets[0] = {5, 2};
  ahead.offsets[0] = {6, 9};
  auto frame = format_event(event("{}"), encode_cursor(behind));
  auto raised = with_cursor_at_least(frame, floor);
  REQUIRE(raised);
  auto id = raised->substr(4, raised->find('\n') - 4);
  auto cursor = decode_cursor(id);
  REQUIRE(cursor);
  CHECK(cursor->offsets[0] == std::vector<std::int64_t>{5, 9});
  CHECK(raised->substr(raised->find('\n')) == frame.substr(frame.find('\n')));
  CHECK_FALSE(with_cursor_at_least(format_event(event("{}"), encode_cursor(ahead)), floor));
}
