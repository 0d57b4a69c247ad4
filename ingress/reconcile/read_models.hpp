#pragma once
// What the reconciler asks Postgres: which entities the read models hold and how fresh,
// the per-shop, per-entity watermarks (schemas/migrations/0003) and the entities a pass
// skipped (0004). One connection; not
// thread-safe. Methods throw pqxx exceptions, which the pass turns into a failed pass.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <pqxx/connection>

namespace shopstream::ingress::reconcile {

struct Held {
  std::optional<std::int64_t> updated_at;  // epoch seconds; empty for a tombstone
  bool deleted = false;
};

class ReadModels {
 public:
  explicit ReadModels(const std::string& database_url);
  ~ReadModels();

  // `table`: orders, products or customers.
  std::map<std::int64_t, Held> held(std::string_view table, const std::string& shop,
                                    const std::vector<std::int64_t>& ids);
  std::set<std::int64_t> refunds_held(const std::string& shop,
                                      const std::vector<std::int64_t>& ids);
  // Ids of rows not deleted (tombstones included: a redaction may have made one).
  std::vector<std::int64_t> live_ids(std::string_view table, const std::string& shop);

  std::optional<std::int64_t> watermark(const std::string& shop, std::string_view entity);
  // Never moves a watermark back.
  void advance_watermark(const std::string& shop, std::string_view entity, std::int64_t to);

  // Entities found at the source but not published (schemas/migrations/0004), to be read
  // again by later passes.
  void record_skipped(const std::string& shop, std::string_view entity, std::int64_t id,
                      std::string_view reason);
  // The listed ids, least recently skipped first.
  std::vector<std::int64_t> skipped(const std::string& shop, std::string_view entity);
  void forget_skipped(const std::string& shop, std::string_view entity,
                      const std::vector<std::int64_t>& ids);

 private:
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace shopstream::ingress::reconcile
