#include "tests/support/simulator.hpp"

#include <doctest/doctest.h>

#include <pqxx/pqxx>
#include <set>

#include "common/time.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/wait.hpp"

namespace shopstream::test {
namespace dom = simdjson::dom;

Simulator::Simulator(const std::vector<std::string>& flags) {
  static int n = 0;
  const std::string dir = std::string(SHOPSTREAM_TEST_TMP) + "/sim-" + std::to_string(getpid()) +
                          "-" + std::to_string(++n);
  std::vector<std::string> argv = {SHOPSTREAM_SIM_BINARY, "--ready-file", dir + ".ready"};
  argv.insert(argv.end(), flags.begin(), flags.end());
  std::remove((dir + ".ready").c_str());
  proc_ = std::make_unique<ChildProcess>(argv, std::map<std::string, std::string>{}, dir + ".log");
  REQUIRE(wait_until([&] { return !read_file(dir + ".ready").empty(); }, std::chrono::seconds(60)));
  url_ = json_field(read_file(dir + ".ready"), "admin_api_url");
  port_ = static_cast<std::uint16_t>(std::stoi(json_field(read_file(dir + ".ready"), "port")));
}

std::string Simulator::get(const std::string& path) {
  HttpClient c(port_);
  auto r = c.request("GET", path, {});
  REQUIRE(r.status == 200);
  return r.body;
}

void Simulator::post(const std::string& path) {
  HttpClient c(port_);
  REQUIRE(c.request("POST", path, {}).status == 200);
}

std::int64_t Simulator::stat(const std::vector<std::string>& path) {
  dom::parser p;
  dom::element e = p.parse(get("/sim/stats")).value();
  for (const auto& k : path)
    if (e[k].get(e) != simdjson::SUCCESS) return -1;
  std::int64_t v = -1;
  if (e.get(v) != simdjson::SUCCESS) {
    bool b = false;
    if (e.get(b) == simdjson::SUCCESS) v = b ? 1 : 0;
  }
  return v;
}

bool Simulator::deliveries_done(std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        return stat({"delivery", "done"}) == 1;
      },
      timeout, std::chrono::milliseconds(100));
}

namespace {

using Rows = std::map<std::string, std::string>;  // key → the compared columns, joined

std::string cents(std::string_view money) {
  bool neg = !money.empty() && money[0] == '-';
  if (neg) money.remove_prefix(1);
  auto dot = money.find('.');
  std::string whole(money.substr(0, dot)),
      frac(dot == std::string_view::npos ? "" : money.substr(dot + 1));
  frac = (frac + "00").substr(0, 2);
  return std::to_string((neg ? -1 : 1) * (std::stoll(whole) * 100 + std::stoll(frac)));
}

std::string epoch(std::string_view t) {
  return std::to_string(time::parse_rfc3339(t).value_or(-1));
}

std::string text(dom::element e, const char* k) {
  dom::element v = e[k].value();
  if (v.is_null()) return "∅";
  if (v.is_string()) return std::string(v.get_string().value());
  if (v.is_bool()) return v.get_bool().value() ? "true" : "false";
  return simdjson::minify(v);
}

Rows sql_rows(pqxx::connection& c, const std::string& sql, const std::string& shop) {
  Rows out;
  pqxx::nontransaction tx(c);
  for (const auto& r : tx.exec_params(sql, shop)) {
    std::string joined;
    for (int i = 1; i < static_cast<int>(r.size()); ++i)
      joined += std::string(i > 1 ? " | " : "") + (r[i].is_null() ? "∅" : r[i].c_str());
    out[r[0].c_str()] = joined;
  }
  return out;
}

void diff(const std::string& what, const Rows& want, const Rows& got,
          std::vector<std::string>& out) {
  for (const auto& [k, v] : want) {
    auto it = got.find(k);
    if (it == got.end())
      out.push_back(what + " " + k + " missing (want " + v + ")");
    else if (it->second != v)
      out.push_back(what + " " + k + ": want " + v + " got " + it->second);
  }
  for (const auto& [k, v] : got)
    if (!want.count(k)) out.push_back(what + " " + k + " should not be there: " + v);
}

constexpr const char* kMoney = "round(%s * 100)::bigint";

std::string money_sql(const std::string& col) {
  char buf[128];
  std::snprintf(buf, sizeof buf, kMoney, col.c_str());
  return buf;
}

std::string ts_sql(const std::string& col) {
  return "extract(epoch FROM " + col + ")::bigint";
}

}  // namespace

std::vector<std::string> compare_with_dump(const std::string& database_url,
                                           const std::string& dump) {
  std::vector<std::string> out;
  pqxx::connection c(database_url);
  dom::parser parser;
  dom::element root = parser.parse(dump).value();
  for (dom::element shop : root["shops"].get_array()) {
    const std::string domain(shop["domain"].get_string().value());
    Rows products, variants, customers, orders, items, refunds, daily;
    std::set<std::string> deleted_products, deleted_customers, deleted_orders;
    struct Day {
      std::int64_t orders = 0, gross = 0, discounts = 0, returns = 0, taxes = 0, shipping = 0;
    };
    std::map<std::string, Day> days;
    for (dom::element p : shop["products"].get_array()) {
      auto id = text(p, "id");
      if (p["deleted"].get_bool().value()) {
        deleted_products.insert(id);
        continue;
      }
      products[id] = text(p, "title") + " | " + text(p, "handle") + " | " + text(p, "vendor") +
                     " | " + text(p, "product_type") + " | " + text(p, "status") + " | " +
                     epoch(text(p, "created_at")) + " | " + epoch(text(p, "updated_at"));
      for (dom::element v : p["variants"].get_array())
        variants[text(v, "id")] = id + " | " + text(v, "title") + " | " + text(v, "sku") + " | " +
                                  cents(text(v, "price")) + " | " + text(v, "inventory_quantity") +
                                  " | " + text(v, "inventory_item_id");
    }
    for (dom::element cu : shop["customers"].get_array()) {
      auto id = text(cu, "id");
      if (cu["deleted"].get_bool().value()) {
        deleted_customers.insert(id);
        continue;
      }
      customers[id] = text(cu, "email") + " | " + text(cu, "first_name") + " | " +
                      text(cu, "last_name") + " | " + text(cu, "phone") + " | " +
                      text(cu, "state") + " | " + epoch(text(cu, "created_at")) + " | " +
                      epoch(text(cu, "updated_at"));
    }
    for (dom::element o : shop["orders"].get_array()) {
      auto id = text(o, "id");
      if (o["deleted"].get_bool().value()) {
        deleted_orders.insert(id);
        continue;
      }
      auto cancelled = text(o, "cancelled_at");
      orders[id] = text(o, "name") + " | " + text(o, "email") + " | " + text(o, "customer_id") +
                   " | " + text(o, "currency") + " | " + cents(text(o, "subtotal_price")) + " | " +
                   cents(text(o, "total_price")) + " | " + cents(text(o, "total_tax")) + " | " +
                   cents(text(o, "total_discounts")) + " | " + cents(text(o, "total_shipping")) +
                   " | " + text(o, "financial_status") + " | " + text(o, "fulfillment_status") +
                   " | " + text(o, "test") + " | " + epoch(text(o, "created_at")) + " | " +
                   epoch(text(o, "updated_at")) + " | " +
                   (cancelled == "∅" ? cancelled : epoch(cancelled)) + " | " +
                   text(o, "local_date");
      for (dom::element li : o["line_items"].get_array())
        items[text(li, "id")] =
            id + " | " + text(li, "product_id") + " | " + text(li, "variant_id") + " | " +
            text(li, "title") + " | " + text(li, "sku") + " | " + text(li, "quantity") + " | " +
            cents(text(li, "price")) + " | " + cents(text(li, "total_discount"));
      for (dom::element r : o["refunds"].get_array())
        refunds[text(r, "id")] = id + " | " + epoch(text(r, "created_at")) + " | " +
                                 text(r, "local_date") + " | " + cents(text(r, "amount"));
      if (text(o, "test") == "true") continue;
      auto& d = days[text(o, "local_date")];
      ++d.orders;
      d.gross += std::stoll(cents(text(o, "gross")));
      d.discounts += std::stoll(cents(text(o, "total_discounts")));
      d.taxes += std::stoll(cents(text(o, "total_tax")));
      d.shipping += std::stoll(cents(text(o, "total_shipping")));
      for (dom::element r : o["refunds"].get_array())
        days[text(r, "local_date")].returns += std::stoll(cents(text(r, "amount")));
    }
    for (const auto& [day, d] : days) {
      auto net = d.gross - d.discounts - d.returns;
      daily[day] = std::to_string(d.orders) + " | " + std::to_string(d.gross) + " | " +
                   std::to_string(d.discounts) + " | " + std::to_string(d.returns) + " | " +
                   std::to_string(net) + " | " + std::to_string(d.taxes) + " | " +
                   std::to_string(net + d.shipping + d.taxes);
    }

    const std::string live = " FROM shopstream.%T WHERE shop_domain = $1 AND deleted_at IS NULL";
    auto from = [&](const char* table) {
      auto s = live;
      s.replace(s.find("%T"), 2, table);
      return s;
    };
    diff("products", products,
         sql_rows(c,
                  "SELECT id, title, handle, vendor, product_type, status, " +
                      ts_sql("created_at") + ", " + ts_sql("updated_at") + from("products"),
                  domain),
         out);
    diff("product_variants", variants,
         sql_rows(
             c,
             "SELECT v.id, v.product_id, v.title, v.sku, " + money_sql("v.price") +
                 ", v.inventory_quantity, v.inventory_item_id FROM shopstream.product_variants v "
                 "JOIN shopstream.products p ON p.shop_domain = v.shop_domain AND p.id = "
                 "v.product_id "
                 "WHERE v.shop_domain = $1 AND p.deleted_at IS NULL",
             domain),
         out);
    diff("customers", customers,
         sql_rows(c,
                  "SELECT id, email, first_name, last_name, phone, state, " + ts_sql("created_at") +
                      ", " + ts_sql("updated_at") + from("customers"),
                  domain),
         out);
    diff("orders", orders,
         sql_rows(c,
                  "SELECT id, name, email, customer_id, currency, " + money_sql("subtotal_price") +
                      ", " + money_sql("total_price") + ", " + money_sql("total_tax") + ", " +
                      money_sql("total_discounts") + ", " + money_sql("total_shipping") +
                      ", financial_status, fulfillment_status, test::text, " +
                      ts_sql("created_at") + ", " + ts_sql("updated_at") + ", " +
                      ts_sql("cancelled_at") + ", local_date" + from("orders"),
                  domain),
         out);
    diff("order_line_items", items,
         sql_rows(
             c,
             "SELECT li.id, li.order_id, li.product_id, li.variant_id, li.title, li.sku, "
             "li.quantity, " +
                 money_sql("li.price") + ", " + money_sql("li.total_discount") +
                 " FROM shopstream.order_line_items li JOIN shopstream.orders o ON "
                 "o.shop_domain = li.shop_domain AND o.id = li.order_id WHERE li.shop_domain = $1 "
                 "AND o.deleted_at IS NULL",
             domain),
         out);
    diff(
        "refunds", refunds,
        sql_rows(c,
                 "SELECT r.id, r.order_id, " + ts_sql("r.created_at") + ", r.local_date, " +
                     money_sql("r.amount") +
                     " FROM shopstream.refunds r JOIN shopstream.orders o ON "
                     "o.shop_domain = r.shop_domain AND o.id = r.order_id WHERE r.shop_domain = $1 "
                     "AND o.deleted_at IS NULL",
                 domain),
        out);
    diff(
        "daily_sales", daily,
        sql_rows(c,
                 "SELECT day, orders, " + money_sql("gross_sales") + ", " + money_sql("discounts") +
                     ", " + money_sql("returns") + ", " + money_sql("net_sales") + ", " +
                     money_sql("taxes") + ", " + money_sql("total_sales") +
                     " FROM shopstream.daily_sales WHERE shop_domain = $1",
                 domain),
        out);
  }
  return out;
}

}  // namespace shopstream::test
