// Fuzzing the per-shop secrets file: it is refused with a message that names the line and
// never any of its text (a secret must not reach a log), or read as normalized shops with
// trimmed, non-empty secrets.
#include <doctest/doctest.h>

#include <regex>

#include "ingress/secrets.hpp"
#include "ingress/shop_domain.hpp"
#include "tests/support/fuzz.hpp"

using namespace shopstream;
using namespace shopstream::ingress;
using shopstream::test::fuzz;

TEST_CASE("fuzz: a shop secrets file is read cleanly or refused without quoting it") {
  const std::regex message(
      R"(^line [0-9]+: (expected shop\.myshopify\.com=secret|not a \*\.myshopify\.com shop domain|empty secret)$)");
  std::vector<std::string> corpus = {
      "# comment\nalpha.myshopify.com=s3cr3t-alpha\n\nBeta.MyShopify.com = s3cr3t-beta \n",
      "alpha.myshopify.com=one\nalpha.myshopify.com=two\n", ""};
  fuzz(corpus, {"=", "\n", "#", " ", "\t", "\r", ".myshopify.com", "shop=", "=="},
       [&](const std::string& text, std::size_t run) {
         CAPTURE(run);
         auto parsed = SecretStore::parse_shop_secrets(text);
         if (!parsed) {
           CHECK(std::regex_match(parsed.error().message, message));
           return;
         }
         for (const auto& [shop, secrets] : parsed.value()) {
           CHECK(normalize_shop_domain(shop) == shop);
           CHECK(!secrets.empty());
           for (const auto& s : secrets) {
             REQUIRE(!s.empty());
             CHECK(s.front() != ' ');
             CHECK(s.back() != ' ');
           }
         }
       });
}
