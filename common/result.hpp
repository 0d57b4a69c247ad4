#pragma once
// A value or an error message, for operations that fail for reasons from outside
// (config, network, input). No exceptions cross module boundaries on the data path.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace shopstream {

struct Error {
  std::string message;
  bool retryable = false;
};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const T& value() const& { return std::get<0>(v_); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

inline Error fail(std::string message, bool retryable = false) {
  return Error{std::move(message), retryable};
}

}  // namespace shopstream
