#pragma once
// An ingress running in-process on 127.0.0.1:0 against the test run's Kafka, with its
// own topic prefix.
#include <memory>
#include <string>

#include "common/config.hpp"
#include "common/kafka/producer.hpp"
#include "ingress/service.hpp"
#include "tests/support/kafka.hpp"

namespace shopstream::test {

inline const std::string kSecret = "test-current-secret";
inline const std::string kOldSecret = "test-previous-secret";

class IngressFixture {
 public:
  // `adjust` may change settings (timeouts, limits) before start.
  explicit IngressFixture(const std::function<void(Settings&)>& adjust = nullptr,
                          ingress::SecretStore secrets = ingress::SecretStore({kSecret, kOldSecret},
                                                                              {}));
  ~IngressFixture();
  std::uint16_t port() const { return service_->port(); }
  const std::string& prefix() const { return settings_.topic_prefix; }
  const Settings& settings() const { return settings_; }
  std::vector<ConsumedRecord> read(const std::string& stream) const;
  bool stop();  // graceful stop; the fixture may then be destroyed

 private:
  Settings settings_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<ingress::IngressService> service_;
  bool stopped_ = false;
};

}  // namespace shopstream::test
