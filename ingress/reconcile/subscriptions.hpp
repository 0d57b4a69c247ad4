#pragma once
// The subscription keeper: Shopify deletes a webhook subscription after repeated
// delivery failures, so list the shop's subscriptions and re-create each one shopstream
// needs that is missing for `callback_url`, logging and counting every repair.
#include <string>
#include <vector>

#include "common/result.hpp"
#include "ingress/reconcile/admin_client.hpp"

namespace shopstream::ingress::reconcile {

// The topics shopstream subscribes to (GraphQL enum names). The compliance topics are
// configured in the app's settings, not through the API, so they are not here.
const std::vector<std::string>& required_topics();

// The topics re-created; Error if listing or creating failed.
Result<std::vector<std::string>> keep_subscriptions(const std::string& shop, AdminClient& api,
                                                    const std::string& callback_url);

}  // namespace shopstream::ingress::reconcile
