#pragma once
// The GraphQL Admin API documents the reconciler sends: every one validates against
// Shopify's own schema (tests/reconcile/validate_queries.test.mjs). Each selects what the
// read models hold, in the fields of the 2025-01 schema that later versions keep.
#include <string_view>

namespace shopstream::ingress::reconcile {

inline constexpr std::string_view kShopQuery = R"(query ReconcileShop {
  shop { myshopifyDomain ianaTimezone timezoneOffsetMinutes }
})";

// Nested page sizes bound the requested cost per node of a list page (Shopify sizes a
// connection by `first`). An order with more line items, a refund with more lines or a
// product with more variants than its list page holds, when anything would be published
// from it (it is missing or stale, or one of its refunds is missing), has that connection
// read on from the page's endCursor, by the parent's id, one document per connection
// below, with pages as large as one query's cost allows (1,000 points), until it is
// whole. Order.refunds is a list, not a connection: an order whose page held
// kRefundsFirst refunds (there may be more) has them read again, as many as one query
// allows (30); one with that many has the ids of all its refunds read (up to 250) and
// each refund past those read by its id. One with 250 or more is reported, not published
// half-read.
inline constexpr int kLineItemsFirst = 20;
inline constexpr int kVariantsFirst = 50;
inline constexpr int kRefundsFirst = 5;
inline constexpr int kRefundLinesFirst = 10;

// What one node of each document requests under Shopify's cost model (objects 1,
// connections 2 + first × item, scalars 0), so even the first page of a pass is paced and
// sized: an order 1 + four MoneyBags 8 + customer 1 + shippingLines (2 + 3 × 3) +
// lineItems (2 + 20 × 7) + refunds (2 + 5 × 33); a product 1 + variants (2 + 50 × 2); a
// customer 1. Each answer's requestedQueryCost then corrects them.
inline constexpr double kOrderNodeCost = 330;
inline constexpr double kProductNodeCost = 103;
inline constexpr double kCustomerNodeCost = 1;
// Shopify's cost model: a connection costs 2 + its items; a query may request at most
// 1,000 points.
inline constexpr double kConnectionCost = 2;
inline constexpr double kSingleQueryLimit = 1000;
// A nested connection is read on for at most this many pages (some 14,000 line items).
inline constexpr int kMaxNestedPages = 100;
// One item of each nested connection: a line item 1 + two MoneyBags 4 + product 1 +
// variant 1; a variant 1 + inventoryItem 1; a refund line 1 + a MoneyBag 2.
inline constexpr double kLineItemCost = 7;
inline constexpr double kVariantCost = 2;
inline constexpr double kRefundLineCost = 3;
// A refund with its first page of lines: 1 + refundLineItems (2 + 10 × 3).
inline constexpr double kRefundCost = 1 + kConnectionCost + kRefundLinesFirst * kRefundLineCost;

inline constexpr std::string_view kOrdersQuery =
    R"(query ReconcileOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      legacyResourceId name email createdAt updatedAt processedAt cancelledAt currencyCode test
      displayFinancialStatus displayFulfillmentStatus
      customer { legacyResourceId }
      subtotalPriceSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      shippingLines(first: 3) { edges { node { title originalPriceSet { shopMoney { amount } } } } }
      lineItems(first: 20) {
        pageInfo { hasNextPage endCursor }
        edges { node {
          id title sku quantity
          originalUnitPriceSet { shopMoney { amount } }
          totalDiscountSet { shopMoney { amount } }
          product { legacyResourceId }
          variant { legacyResourceId }
        } }
      }
      refunds(first: 5) {
        legacyResourceId createdAt
        refundLineItems(first: 10) {
          pageInfo { hasNextPage endCursor }
          edges { node { quantity subtotalSet { shopMoney { amount } } } }
        }
      }
    } }
  }
})";

inline constexpr std::string_view kProductsQuery =
    R"(query ReconcileProducts($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      legacyResourceId title handle vendor productType status createdAt updatedAt
      variants(first: 50) {
        pageInfo { hasNextPage endCursor }
        edges { node {
          legacyResourceId title sku price inventoryQuantity updatedAt
          inventoryItem { legacyResourceId }
        } }
      }
    } }
  }
})";

// The rest of a nested connection, after the endCursor its list page ended at. Each
// selects its items exactly as the list documents above do (queries.test.mjs checks).
inline constexpr std::string_view kOrderLineItemsQuery =
    R"(query ReconcileOrderLineItems($id: ID!, $first: Int!, $after: String) {
  order(id: $id) {
    lineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
          id title sku quantity
          originalUnitPriceSet { shopMoney { amount } }
          totalDiscountSet { shopMoney { amount } }
          product { legacyResourceId }
          variant { legacyResourceId }
        } }
    }
  }
})";

inline constexpr std::string_view kOrderRefundsQuery =
    R"(query ReconcileOrderRefunds($id: ID!, $first: Int!) {
  order(id: $id) {
    refunds(first: $first) {
      legacyResourceId createdAt
      refundLineItems(first: 10) {
        pageInfo { hasNextPage endCursor }
        edges { node { quantity subtotalSet { shopMoney { amount } } } }
      }
    }
  }
})";

// Every refund's id, for an order with more refunds than kOrderRefundsQuery reads.
inline constexpr std::string_view kOrderRefundIdsQuery =
    R"(query ReconcileOrderRefundIds($id: ID!, $first: Int!) {
  order(id: $id) {
    refunds(first: $first) { legacyResourceId }
  }
})";

// One refund, selected as an order's refunds are above.
inline constexpr std::string_view kRefundQuery = R"(query ReconcileRefund($id: ID!) {
  refund(id: $id) {
      legacyResourceId createdAt
      refundLineItems(first: 10) {
        pageInfo { hasNextPage endCursor }
        edges { node { quantity subtotalSet { shopMoney { amount } } } }
      }
  }
})";

inline constexpr std::string_view kRefundLineItemsQuery =
    R"(query ReconcileRefundLineItems($id: ID!, $first: Int!, $after: String) {
  refund(id: $id) {
    refundLineItems(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { quantity subtotalSet { shopMoney { amount } } } }
    }
  }
})";

inline constexpr std::string_view kProductVariantsQuery =
    R"(query ReconcileProductVariants($id: ID!, $first: Int!, $after: String) {
  product(id: $id) {
    variants(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node {
          legacyResourceId title sku price inventoryQuantity updatedAt
          inventoryItem { legacyResourceId }
        } }
    }
  }
})";

inline constexpr std::string_view kCustomersQuery =
    R"(query ReconcileCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      legacyResourceId email firstName lastName phone state createdAt updatedAt
    } }
  }
})";

inline constexpr std::string_view kSubscriptionsQuery =
    R"(query ReconcileSubscriptions($first: Int!, $after: String) {
  webhookSubscriptions(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id topic format
      endpoint { __typename ... on WebhookHttpEndpoint { callbackUrl } }
    } }
  }
})";

inline constexpr std::string_view kCreateSubscription =
    R"(mutation ReconcileCreateSubscription($topic: WebhookSubscriptionTopic!, $webhookSubscription: WebhookSubscriptionInput!) {
  webhookSubscriptionCreate(topic: $topic, webhookSubscription: $webhookSubscription) {
    webhookSubscription { id topic }
    userErrors { field message }
  }
})";

}  // namespace shopstream::ingress::reconcile
