#pragma once
// Builds one JSON text with commas and escaping handled: the one JSON writer (the log
// and SSE frames keep their own hand-tuned formats). Not thread-safe; cheap to create.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shopstream {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);
  JsonWriter& string(std::string_view v);
  JsonWriter& number(std::int64_t v);
  JsonWriter& raw(std::string_view json);  // a number or literal already in JSON form
  JsonWriter& boolean(bool v);
  JsonWriter& null();
  // A string, or null when `v` is empty.
  JsonWriter& string_or_null(std::string_view v) { return v.empty() ? null() : string(v); }
  // A number, or null when there is none.
  JsonWriter& number_or_null(std::optional<std::int64_t> v) { return v ? number(*v) : null(); }

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void comma();
  std::string out_;
  std::vector<bool> first_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace shopstream
