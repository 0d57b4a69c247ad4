// SIGHUP reloads the webhook secrets of a running `shopstream ingress`: a shop added to
// the per-shop file verifies from then on, a shop removed no longer does, the app secret
// stays, and a file that does not parse leaves the secrets in use (counted), with no
// restart and no request refused for it.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "ingress/hmac.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/ingress_fixture.hpp"
#include "tests/support/metrics.hpp"
#include "tests/support/wait.hpp"

using namespace shopstream;
using namespace shopstream::test;
using namespace std::chrono_literals;

namespace {

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

int post(std::uint16_t port, const std::string& secret, const std::string& shop) {
  static int n = 0;
  const std::string body = R"({"id":)" + std::to_string(++n) + "}";
  return HttpClient(port)
      .post("/webhooks/shopify",
            shopify_headers(secret, "orders/create", shop, "reload-" + std::to_string(n), body),
            body)
      .status;
}

double reloads(std::uint16_t metrics_port, const std::string& result) {
  auto text = HttpClient(metrics_port).request("GET", "/metrics", {}).body;
  return scraped_value(text, "shopstream_ingress_secret_reloads_total{result=\"" + result + "\"}");
}

}  // namespace

TEST_CASE("SIGHUP reloads the per-shop secrets; a bad file keeps the ones in use") {
  const std::string prefix = unique_prefix();
  TestKafka::get().create_topics(prefix);  // the mock cluster takes no CreateTopics from a child
  const auto dir = std::filesystem::path(SHOPSTREAM_TEST_TMP) / (prefix + "reload");
  std::filesystem::create_directories(dir);
  const auto file = dir / "shops.txt";
  write(file, "alpha.myshopify.com=alpha-secret\n");
  IngressProcess ingress(prefix, dir, {{"SHOPSTREAM_SHOP_SECRETS_FILE", file.string()}});
  const auto port = ingress.port();
  CHECK(post(port, "alpha-secret", "alpha.myshopify.com") == 200);
  CHECK(post(port, "beta-secret", "beta.myshopify.com") == 401);

  // beta added, alpha's secret rotated away.
  write(file, "beta.myshopify.com=beta-secret\n");
  ingress.process().signal(SIGHUP);
  REQUIRE(wait_until([&] { return reloads(ingress.metrics_port(), "ok") == 1; }, 10s));
  CHECK(post(port, "beta-secret", "beta.myshopify.com") == 200);
  CHECK(post(port, "alpha-secret", "alpha.myshopify.com") == 401);
  CHECK(post(port, kSecret, "alpha.myshopify.com") == 200);  // the app secret stays

  // A file that does not parse: counted, and beta's secret still verifies.
  write(file, "beta.myshopify.com\n");
  ingress.process().signal(SIGHUP);
  REQUIRE(wait_until([&] { return reloads(ingress.metrics_port(), "error") == 1; }, 10s));
  CHECK(post(port, "beta-secret", "beta.myshopify.com") == 200);
  CHECK(reloads(ingress.metrics_port(), "ok") == 1);

  ingress.process().signal(SIGTERM);
  auto status = ingress.process().wait(30s);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
}
