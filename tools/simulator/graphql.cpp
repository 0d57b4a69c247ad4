#include "tools/simulator/graphql.hpp"

#include <cctype>
#include <climits>
#include <map>
#include <stdexcept>

#include "common/units.hpp"

namespace shopstream::sim {
namespace {

struct ParseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Parser {
 public:
  Parser(std::string_view doc, simdjson::dom::element vars) : s_(doc), vars_(vars) {}

  Operation operation() {
    Operation op;
    skip();
    if (peek_name()) {
      auto kw = name();
      if (kw == "mutation")
        op.mutation = true;
      else if (kw != "query")
        throw ParseError("unsupported operation type " + kw);
      skip();
      if (peek_name()) name();  // the operation name
      skip();
      if (peek('(')) variable_definitions();
    }
    op.fields = selection_set();
    return op;
  }

 private:
  void skip() {
    while (i_ < s_.size()) {
      char c = s_[i_];
      if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
        ++i_;
      } else {
        break;
      }
    }
  }
  bool peek(char c) {
    skip();
    return i_ < s_.size() && s_[i_] == c;
  }
  bool peek_name() {
    skip();
    return i_ < s_.size() && (std::isalpha(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_');
  }
  void expect(char c) {
    if (!peek(c))
      throw ParseError(std::string("expected '") + c + "' at offset " + std::to_string(i_));
    ++i_;
  }
  std::string name() {
    skip();
    std::size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_'))
      ++i_;
    if (b == i_) throw ParseError("expected a name at offset " + std::to_string(i_));
    return std::string(s_.substr(b, i_ - b));
  }
  // ($name: Type = default, ...): the defaults stand in for variables the request omits.
  void variable_definitions() {
    expect('(');
    while (!peek(')')) {
      expect('$');
      auto var = name();
      expect(':');
      type();
      if (peek('=')) {
        ++i_;
        defaults_[var] = value();
      }
    }
    ++i_;
  }
  void type() {
    if (peek('[')) {
      ++i_;
      type();
      expect(']');
    } else {
      name();
    }
    if (peek('!')) ++i_;
  }

  std::string value() {
    skip();
    if (i_ >= s_.size()) throw ParseError("expected a value");
    char c = s_[i_];
    if (c == '$') {
      ++i_;
      auto var = name();
      simdjson::dom::element v;
      if (!vars_.is_object() || vars_.get_object().at_key(var).get(v) != simdjson::SUCCESS) {
        auto d = defaults_.find(var);
        return d == defaults_.end() ? std::string() : d->second;
      }
      if (v.is_null()) return {};
      if (v.is_string()) return std::string(v.get_string().value());
      return simdjson::minify(v);
    }
    if (c == '"') {
      std::string out;
      ++i_;
      while (i_ < s_.size() && s_[i_] != '"') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) ++i_;
        out += s_[i_++];
      }
      ++i_;
      return out;
    }
    if (c == '{' || c == '[')
      throw ParseError("input objects and lists must be passed as variables");
    std::size_t b = i_;
    while (i_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[i_])) || s_[i_] == '_' ||
                              s_[i_] == '-' || s_[i_] == '.'))
      ++i_;
    if (b == i_) throw ParseError("expected a value at offset " + std::to_string(i_));
    return std::string(s_.substr(b, i_ - b));
  }

  std::vector<Field> selection_set() {
    expect('{');
    std::vector<Field> fields;
    while (!peek('}')) {
      if (s_.substr(i_, 3) == "...") {
        i_ += 3;
        if (name() != "on") throw ParseError("named fragments are not supported");
        name();  // type condition
        for (auto& f : selection_set()) fields.push_back(std::move(f));
        continue;
      }
      Field f;
      f.name = name();
      if (peek(':')) {  // an alias
        ++i_;
        f.name = name();
      }
      if (peek('(')) {
        ++i_;
        while (!peek(')')) {
          auto arg = name();
          expect(':');
          f.args[arg] = value();
        }
        ++i_;
      }
      if (peek('{')) f.children = selection_set();
      fields.push_back(std::move(f));
    }
    ++i_;
    return fields;
  }

  std::string_view s_;
  simdjson::dom::element vars_;
  std::map<std::string, std::string> defaults_;
  std::size_t i_ = 0;
};

int cost_of(const Field& f);

int object_cost(const std::vector<Field>& children) {
  int c = 1;
  for (const auto& ch : children) c += cost_of(ch);
  return c;
}

int cost_of(const Field& f) {
  if (f.name == "pageInfo" || f.children.empty()) return 0;
  if (!f.args.count("first")) return object_cost(f.children);
  const int n = f.first().value_or(0);
  int item = 0;
  if (const Field* edges = f.child("edges")) {
    if (const Field* node = edges->child("node")) item = object_cost(node->children);
  } else if (const Field* nodes = f.child("nodes")) {
    item = object_cost(nodes->children);
  } else {
    item = object_cost(f.children);
  }
  return 2 + n * item;
}

int actual_of(simdjson::dom::element v);

int actual_object(simdjson::dom::object o) {
  int c = 1;
  for (auto [k, v] : o)
    if (k != "pageInfo") c += actual_of(v);
  return c;
}

int actual_of(simdjson::dom::element v) {
  if (v.is_array()) {  // a list of objects, like Order.refunds
    int c = 2;
    for (auto el : v.get_array())
      if (el.is_object()) c += actual_object(el.get_object());
    return c;
  }
  if (!v.is_object()) return 0;
  auto o = v.get_object().value();
  simdjson::dom::array edges;
  if (o.at_key("edges").get(edges) == simdjson::SUCCESS) {
    int c = 2;
    for (auto e : edges) {
      simdjson::dom::object node;
      if (e.at_key("node").get(node) == simdjson::SUCCESS) c += actual_object(node);
    }
    return c;
  }
  return actual_object(o);
}

}  // namespace

const Field* Field::child(std::string_view n) const {
  for (const auto& c : children)
    if (c.name == n) return &c;
  return nullptr;
}

std::optional<int> Field::first() const {
  auto it = args.find("first");
  if (it == args.end()) return std::nullopt;
  auto n = parse_int(it->second);
  if (!n || *n < INT_MIN || *n > INT_MAX) return std::nullopt;
  return static_cast<int>(*n);
}

Result<Operation> parse_operation(std::string_view document, simdjson::dom::element variables) {
  try {
    return Parser(document, variables).operation();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
}

int requested_cost(const Operation& op) {
  if (op.mutation) return 10 * static_cast<int>(op.fields.size());
  int c = 0;
  for (const auto& f : op.fields) c += cost_of(f);
  return c;
}

int actual_cost(simdjson::dom::element data, bool mutation) {
  if (mutation) return 10 * static_cast<int>(data.is_object() ? data.get_object().size() : 1);
  int c = 0;
  if (data.is_object())
    for (auto [k, v] : data.get_object()) c += actual_of(v);
  return c;
}

}  // namespace shopstream::sim
