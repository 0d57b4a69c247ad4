#include "common/json_writer.hpp"

#include <doctest/doctest.h>

using shopstream::JsonWriter;

TEST_CASE("JsonWriter puts commas between members and elements, at any depth") {
  JsonWriter w;
  w.begin_object().key("id").number(-42).key("tags").begin_array().string("a").string("b");
  w.begin_object().end_object().begin_array().end_array().end_array();
  w.key("ok").boolean(true).key("raw").raw("1.50").key("none").null().end_object();
  CHECK(w.str() == R"({"id":-42,"tags":["a","b",{},[]],"ok":true,"raw":1.50,"none":null})");
}

TEST_CASE("JsonWriter escapes keys and strings, and writes null for what is missing") {
  JsonWriter w;
  w.begin_object().key("q\"k").string("line\nbreak \\ \x01 é");
  w.key("empty").string_or_null("").key("name").string_or_null("#1001");
  w.key("customer").number_or_null(std::nullopt).key("product").number_or_null(7);
  w.end_object();
  CHECK(w.take() ==
        "{\"q\\\"k\":\"line\\nbreak \\\\ \\u0001 é\",\"empty\":null,\"name\":\"#1001\","
        "\"customer\":null,\"product\":7}");
}
