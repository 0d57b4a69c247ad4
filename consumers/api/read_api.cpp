#include "consumers/api/read_api.hpp"

#include <chrono>
#include <variant>

#include "common/log.hpp"
#include "consumers/api/params.hpp"

namespace shopstream::consumers::api {
namespace {

using Answer = std::function<void(HttpResponse)>;

// Figures of one period. Money is numeric in SQL and leaves it as text: no rounding.
constexpr const char* kPeriod = R"sql(
WITH sales AS (
  SELECT coalesce(sum(orders), 0)::bigint AS orders,
         coalesce(sum(gross_sales), 0) AS gross_sales, coalesce(sum(discounts), 0) AS discounts,
         coalesce(sum(returns), 0) AS returns, coalesce(sum(net_sales), 0) AS net_sales,
         coalesce(sum(taxes), 0) AS taxes, coalesce(sum(total_sales), 0) AS total_sales
  FROM shopstream.daily_sales WHERE shop_domain = $1 AND day BETWEEN $2::date AND $3::date
), buyers AS (
  SELECT o.customer_id, count(*) AS period_orders,
         EXISTS (SELECT 1 FROM shopstream.orders p
                 WHERE p.shop_domain = $1 AND p.customer_id = o.customer_id AND NOT p.test
                   AND p.deleted_at IS NULL AND p.local_date < $2::date) AS ordered_before
  FROM shopstream.orders o
  WHERE o.shop_domain = $1 AND NOT o.test AND o.deleted_at IS NULL
    AND o.customer_id IS NOT NULL AND o.local_date BETWEEN $2::date AND $3::date
  GROUP BY o.customer_id
)
SELECT s.orders, s.gross_sales::text, s.discounts::text, s.returns::text, s.net_sales::text,
       s.taxes::text, s.total_sales::text,
       CASE WHEN s.orders > 0 THEN round((s.gross_sales - s.discounts) / s.orders, 2) ELSE 0 END::text,
       (SELECT count(*) FROM buyers),
       (SELECT count(*) FROM buyers WHERE period_orders > 1 OR ordered_before)
FROM sales s)sql";

constexpr const char* kDaily = R"sql(
SELECT g.day::date::text, coalesce(d.orders, 0), coalesce(d.gross_sales, 0)::text,
       coalesce(d.discounts, 0)::text, coalesce(d.returns, 0)::text,
       coalesce(d.net_sales, 0)::text, coalesce(d.taxes, 0)::text,
       coalesce(d.total_sales, 0)::text
FROM generate_series($2::date, $3::date, interval '1 day') AS g(day)
LEFT JOIN shopstream.daily_sales d ON d.shop_domain = $1 AND d.day = g.day::date
ORDER BY g.day)sql";

constexpr const char* kTopProducts = R"sql(
SELECT li.product_id::text, coalesce(max(p.title), max(li.title)),
       sum(li.quantity)::bigint, sum(li.price * li.quantity)::text, count(DISTINCT o.id)
FROM shopstream.order_line_items li
JOIN shopstream.orders o ON o.shop_domain = li.shop_domain AND o.id = li.order_id
LEFT JOIN shopstream.products p ON p.shop_domain = li.shop_domain AND p.id = li.product_id
WHERE o.shop_domain = $1 AND NOT o.test AND o.deleted_at IS NULL
  AND o.local_date BETWEEN $2::date AND $3::date
GROUP BY li.product_id
ORDER BY sum(li.price * li.quantity) DESC, li.product_id
LIMIT $4)sql";

constexpr const char* kTopCustomers = R"sql(
SELECT o.customer_id::text, max(c.first_name), max(c.last_name), coalesce(max(c.email), max(o.email)),
       count(*), sum(o.total_price)::text
FROM shopstream.orders o
LEFT JOIN shopstream.customers c ON c.shop_domain = o.shop_domain AND c.id = o.customer_id
WHERE o.shop_domain = $1 AND NOT o.test AND o.deleted_at IS NULL AND o.customer_id IS NOT NULL
  AND o.local_date BETWEEN $2::date AND $3::date
GROUP BY o.customer_id
ORDER BY sum(o.total_price) DESC, o.customer_id
LIMIT $4)sql";

constexpr const char* kOrdersCsv = R"sql(
SELECT id::text, name, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), local_date::text, email, customer_id::text, currency,
       subtotal_price::text, total_discounts::text, total_tax::text, total_price::text,
       financial_status, fulfillment_status,
       to_char(cancelled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), test
FROM shopstream.orders
WHERE shop_domain = $1 AND deleted_at IS NULL AND local_date BETWEEN $2::date AND $3::date
ORDER BY created_at, id
LIMIT $4)sql";

constexpr std::string_view kCsvHeader =
    "id,name,created_at,local_date,email,customer_id,currency,subtotal_price,total_discounts,"
    "total_tax,total_price,financial_status,fulfillment_status,cancelled_at,test\r\n";

void key(std::string& out, std::string_view k) {
  if (out.back() != '{' && out.back() != '[') out += ',';
  log::append_json_string(out, k);
  out += ':';
}

void str(std::string& out, std::string_view k, const pqxx::field& f) {
  key(out, k);
  if (f.is_null())
    out += "null";
  else
    log::append_json_string(out, f.c_str());
}

void num(std::string& out, std::string_view k, const pqxx::field& f) {
  key(out, k);
  out += f.is_null() ? "null" : f.c_str();
}

HttpResponse json_ok(std::string body) {
  HttpResponse res{boost::beast::http::status::ok, 11};
  res.set(boost::beast::http::field::content_type, "application/json");
  res.set(boost::beast::http::field::cache_control, "no-store");
  res.body() = std::move(body);
  return res;
}

// The fields of one period, into the object `out` is building.
void period_fields(std::string& out, const DateRange& r, const pqxx::row& row) {
  key(out, "from");
  log::append_json_string(out, format_date(r.from));
  key(out, "to");
  log::append_json_string(out, format_date(r.to));
  num(out, "orders", row[0]);
  str(out, "gross_sales", row[1]);
  str(out, "discounts", row[2]);
  str(out, "returns", row[3]);
  str(out, "net_sales", row[4]);
  str(out, "taxes", row[5]);
  str(out, "total_sales", row[6]);
  str(out, "average_order_value", row[7]);
  num(out, "customers", row[8]);
  auto customers = row[8].as<long>();
  auto repeat = row[9].as<long>();
  key(out, "repeat_customers");
  out += std::to_string(repeat);
  key(out, "repeat_customer_rate");
  char rate[32];
  std::snprintf(rate, sizeof rate, "%.4f",
                customers > 0 ? static_cast<double>(repeat) / static_cast<double>(customers) : 0.0);
  out += rate;
}

std::string csv_field(const pqxx::field& f, bool text) {
  if (f.is_null()) return {};
  std::string v = f.c_str();
  // Spreadsheets run cells that start like a formula; a leading quote keeps them text.
  if (text && !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '@' || v[0] == '-'))
    v.insert(v.begin(), '\'');
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + "\"";
}

HttpResponse answer(pqxx::connection& c, const std::string& shop, const std::string& resource,
                    const DateRange& r, int limit) {
  pqxx::read_transaction tx(c);
  auto from = format_date(r.from), to = format_date(r.to);
  std::string out = "{";
  key(out, "shop_domain");
  log::append_json_string(out, shop);
  if (resource == "kpis") {
    auto prev = r.previous();
    auto now = tx.exec_params1(kPeriod, shop, from, to);
    auto before = tx.exec_params1(kPeriod, shop, format_date(prev.from), format_date(prev.to));
    // The contract's figures at the top level; the previous period beside them.
    period_fields(out, r, now);
    key(out, "previous");
    out += '{';
    period_fields(out, prev, before);
    out += '}';
  } else if (resource == "sales/daily") {
    key(out, "from");
    log::append_json_string(out, from);
    key(out, "to");
    log::append_json_string(out, to);
    key(out, "days");
    out += '[';
    for (const auto& row : tx.exec_params(kDaily, shop, from, to)) {
      out += out.back() == '[' ? "{" : ",{";
      str(out, "day", row[0]);
      num(out, "orders", row[1]);
      str(out, "gross_sales", row[2]);
      str(out, "discounts", row[3]);
      str(out, "returns", row[4]);
      str(out, "net_sales", row[5]);
      str(out, "taxes", row[6]);
      str(out, "total_sales", row[7]);
      out += '}';
    }
    out += ']';
  } else if (resource == "top-products") {
    key(out, "products");
    out += '[';
    for (const auto& row : tx.exec_params(kTopProducts, shop, from, to, limit)) {
      out += out.back() == '[' ? "{" : ",{";
      num(out, "product_id", row[0]);
      str(out, "title", row[1]);
      num(out, "quantity", row[2]);
      str(out, "gross_sales", row[3]);
      num(out, "orders", row[4]);
      out += '}';
    }
    out += ']';
  } else if (resource == "top-customers") {
    key(out, "customers");
    out += '[';
    for (const auto& row : tx.exec_params(kTopCustomers, shop, from, to, limit)) {
      out += out.back() == '[' ? "{" : ",{";
      num(out, "customer_id", row[0]);
      str(out, "first_name", row[1]);
      str(out, "last_name", row[2]);
      str(out, "email", row[3]);
      num(out, "orders", row[4]);
      str(out, "total_spent", row[5]);
      out += '}';
    }
    out += ']';
  } else {  // orders.csv
    auto rows = tx.exec_params(kOrdersCsv, shop, from, to, static_cast<long>(kMaxCsvRows) + 1);
    if (rows.size() > kMaxCsvRows)
      return json_response(400, "too_many_rows",
                           "more than " + std::to_string(kMaxCsvRows) +
                               " orders in the range: ask for fewer days at a time");
    std::string csv(kCsvHeader);
    constexpr bool kText[] = {false, true,  false, false, true, false, true, false,
                              false, false, false, true,  true, false, false};
    for (const auto& row : rows) {
      for (int i = 0; i < 15; ++i) {
        if (i) csv += ',';
        csv += csv_field(row[i], kText[i]);
      }
      csv += "\r\n";
    }
    HttpResponse res{boost::beast::http::status::ok, 11};
    res.set(boost::beast::http::field::content_type, "text/csv; charset=utf-8");
    res.set(boost::beast::http::field::content_disposition,
            "attachment; filename=\"orders-" + from + "-" + to + ".csv\"");
    res.body() = std::move(csv);
    return res;
  }
  out += "}\n";
  return json_ok(std::move(out));
}

}  // namespace

ReadApi::ReadApi(std::string database_url, int connections)
    : workers_(std::move(database_url), connections) {}

void ReadApi::handle(const std::string& shop, const std::string& resource, const Target& target,
                     std::function<void(HttpResponse)> respond) {
  auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  auto range = parse_range(target, today);
  if (auto* why = std::get_if<std::string>(&range))
    return respond(json_response(400, "bad_range", *why));
  int limit = static_cast<int>(kMaxCsvRows);
  if (resource == "top-products" || resource == "top-customers") {
    auto l = parse_limit(target);
    if (auto* why = std::get_if<std::string>(&l))
      return respond(json_response(400, "bad_limit", *why));
    limit = std::get<int>(l);
  }
  workers_.submit([shop, resource, r = std::get<DateRange>(range), limit,
                   respond = std::move(respond)](pqxx::connection* c) {
    if (!c) return respond(json_response(503, "database_unavailable", "Postgres is not reachable"));
    try {
      respond(answer(*c, shop, resource, r, limit));
    } catch (const pqxx::broken_connection& e) {
      respond(json_response(503, "database_unavailable", "Postgres connection lost"));
      throw;
    } catch (const std::exception& e) {
      log::error("read api query failed", {{"route", resource}, {"error", e.what()}});
      respond(json_response(500, "query_failed", "the query failed; see the server log"));
    }
  });
}

}  // namespace shopstream::consumers::api
