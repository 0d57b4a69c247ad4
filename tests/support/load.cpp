#include "tests/support/load.hpp"

#include "tests/support/http_client.hpp"

namespace shopstream::test {

Load::Load(std::uint16_t port, const std::string& secret, int threads, bool stop_on_refused)
    : port_(port), secret_(secret), stop_on_refused_(stop_on_refused) {
  running_ = threads;
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { run(i); });
}

Load::~Load() {
  stop();
}

void Load::stop() {
  stop_ = true;
  for (auto& t : threads_)
    if (t.joinable()) t.join();
}

void Load::run(int index) {
  HttpClient http(port_, std::chrono::seconds(15));
  for (long n = 0; !stop_; ++n) {
    std::string id = "load-" + std::to_string(index) + "-" + std::to_string(n);
    std::string body =
        R"({"id":)" + std::to_string(index * 1'000'000'000L + n) +
        R"(,"total_price":"10.00","line_items":[{"id":1,"quantity":1,"price":"10.00"}]})";
    auto start = std::chrono::steady_clock::now();
    auto res =
        http.post("/webhooks/shopify",
                  shopify_headers(secret_, "orders/create", "load.myshopify.com", id, body), body);
    auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    {
      std::lock_guard lock(mu_);
      outcomes_.push_back({id, res.status, latency});
    }
    if (res.status == 0 && stop_on_refused_) break;
  }
  --running_;
}

std::size_t Load::count(int status) const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& o : outcomes_) n += o.status == status;
  return n;
}

std::vector<Outcome> Load::outcomes() const {
  std::lock_guard lock(mu_);
  return outcomes_;
}

}  // namespace shopstream::test
