#include "ingress/reconcile/read_models.hpp"

#include <pqxx/pqxx>

#include "projections/writer.hpp"

namespace shopstream::ingress::reconcile {
namespace {

// Table names come from the code, never from input; checked anyway.
std::string id_array(const std::vector<std::int64_t>& ids) {
  projections::PgArray a;
  for (auto id : ids) a.emplace_back(id);
  return a.str();
}

std::string table_name(std::string_view table) {
  if (table != "orders" && table != "products" && table != "customers")
    throw std::invalid_argument("unknown read model table");
  return "shopstream." + std::string(table);
}

constexpr const char* kWatermark =
    "SELECT extract(epoch FROM watermark)::bigint FROM shopstream.reconcile_watermarks "
    "WHERE shop_domain = $1 AND entity = $2";
constexpr const char* kAdvance = R"sql(
INSERT INTO shopstream.reconcile_watermarks (shop_domain, entity, watermark, updated_at)
VALUES ($1, $2, to_timestamp($3), now())
ON CONFLICT (shop_domain, entity) DO UPDATE
SET watermark = GREATEST(reconcile_watermarks.watermark, EXCLUDED.watermark), updated_at = now())sql";

constexpr const char* kRecordSkipped = R"sql(
INSERT INTO shopstream.reconcile_skipped (shop_domain, entity, id, reason)
VALUES ($1, $2, $3, $4)
ON CONFLICT (shop_domain, entity, id) DO UPDATE
SET reason = EXCLUDED.reason, attempts = reconcile_skipped.attempts + 1,
    last_skipped_at = now())sql";

}  // namespace

ReadModels::ReadModels(const std::string& url) : conn_(std::make_unique<pqxx::connection>(url)) {}
ReadModels::~ReadModels() = default;

std::map<std::int64_t, Held> ReadModels::held(std::string_view table, const std::string& shop,
                                              const std::vector<std::int64_t>& ids) {
  std::map<std::int64_t, Held> out;
  if (ids.empty()) return out;
  pqxx::read_transaction tx(*conn_);
  auto rows = tx.exec_params(
      "SELECT id, extract(epoch FROM updated_at)::bigint, deleted_at IS NOT NULL FROM " +
          table_name(table) + " WHERE shop_domain = $1 AND id = ANY($2::bigint[])",
      shop, id_array(ids));
  for (const auto& r : rows) {
    Held h;
    if (!r[1].is_null()) h.updated_at = r[1].as<std::int64_t>();
    h.deleted = r[2].as<bool>();
    out[r[0].as<std::int64_t>()] = h;
  }
  return out;
}

std::set<std::int64_t> ReadModels::refunds_held(const std::string& shop,
                                                const std::vector<std::int64_t>& ids) {
  std::set<std::int64_t> out;
  if (ids.empty()) return out;
  pqxx::read_transaction tx(*conn_);
  for (const auto& r : tx.exec_params(
           "SELECT id FROM shopstream.refunds WHERE shop_domain = $1 AND id = ANY($2::bigint[])",
           shop, id_array(ids)))
    out.insert(r[0].as<std::int64_t>());
  return out;
}

std::vector<std::int64_t> ReadModels::live_ids(std::string_view table, const std::string& shop) {
  std::vector<std::int64_t> out;
  pqxx::read_transaction tx(*conn_);
  for (const auto& r : tx.exec_params(
           "SELECT id FROM " + table_name(table) + " WHERE shop_domain = $1 AND deleted_at IS NULL",
           shop))
    out.push_back(r[0].as<std::int64_t>());
  return out;
}

std::optional<std::int64_t> ReadModels::watermark(const std::string& shop,
                                                  std::string_view entity) {
  pqxx::read_transaction tx(*conn_);
  auto rows = tx.exec_params(kWatermark, shop, std::string(entity));
  if (rows.empty() || rows[0][0].is_null()) return std::nullopt;
  return rows[0][0].as<std::int64_t>();
}

void ReadModels::advance_watermark(const std::string& shop, std::string_view entity,
                                   std::int64_t to) {
  pqxx::work tx(*conn_);
  tx.exec_params(kAdvance, shop, std::string(entity), to);
  tx.commit();
}

void ReadModels::record_skipped(const std::string& shop, std::string_view entity, std::int64_t id,
                                std::string_view reason) {
  pqxx::work tx(*conn_);
  tx.exec_params(kRecordSkipped, shop, std::string(entity), id, std::string(reason));
  tx.commit();
}

std::vector<std::int64_t> ReadModels::skipped(const std::string& shop, std::string_view entity) {
  std::vector<std::int64_t> out;
  pqxx::read_transaction tx(*conn_);
  for (const auto& r : tx.exec_params(
           "SELECT id FROM shopstream.reconcile_skipped WHERE shop_domain = $1 AND entity = $2 "
           "ORDER BY last_skipped_at, id",
           shop, std::string(entity)))
    out.push_back(r[0].as<std::int64_t>());
  return out;
}

void ReadModels::forget_skipped(const std::string& shop, std::string_view entity,
                                const std::vector<std::int64_t>& ids) {
  if (ids.empty()) return;
  pqxx::work tx(*conn_);
  tx.exec_params(
      "DELETE FROM shopstream.reconcile_skipped WHERE shop_domain = $1 AND entity = $2 AND "
      "id = ANY($3::bigint[])",
      shop, std::string(entity), id_array(ids));
  tx.commit();
}

}  // namespace shopstream::ingress::reconcile
