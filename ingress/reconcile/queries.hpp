#pragma once
// The GraphQL Admin API documents the reconciler sends: every one validates against
// Shopify's own schema (tests/reconcile/validate_queries.test.mjs). Each selects what the
// read models hold, in the fields of the 2025-01 schema that later versions keep.
#include <string_view>

namespace shopstream::ingress::reconcile {

inline constexpr std::string_view kShopQuery = R"(query ReconcileShop {
  shop { myshopifyDomain ianaTimezone timezoneOffsetMinutes }
})";

// Nested page sizes bound the requested cost per order (Shopify sizes a connection by
// `first`). An order with more line items, or a product with more variants, than a page
// of the list reads is read again alone, by id, with the larger nested page (as large as
// one query's cost allows: 1,000 points); one with more than that, with more refunds
// than kRefundsFirst, or with a refund of more than 10 lines, is reported, not published
// half-read.
inline constexpr int kLineItemsFirst = 20;
inline constexpr int kLineItemsWhole = 100;
inline constexpr int kVariantsFirst = 50;
inline constexpr int kVariantsWhole = 250;
inline constexpr int kRefundsFirst = 5;

// What one node of each document requests under Shopify's cost model (objects 1,
// connections 2 + first × item, scalars 0), so even the first page of a pass is paced and
// sized: an order 1 + four MoneyBags 8 + customer 1 + shippingLines (2 + 3 × 3) +
// lineItems (2 + 20 × 7) + refunds (2 + 5 × 33); a product 1 + variants (2 + 50 × 2); a
// customer 1. Each answer's requestedQueryCost then corrects them.
inline constexpr double kOrderNodeCost = 330;
inline constexpr double kProductNodeCost = 103;
inline constexpr double kCustomerNodeCost = 1;
// The same nodes read alone with the larger nested pages: a line item costs 7, a variant 2.
inline constexpr double kWholeOrderCost = kOrderNodeCost + (kLineItemsWhole - kLineItemsFirst) * 7;
inline constexpr double kWholeProductCost =
    kProductNodeCost + (kVariantsWhole - kVariantsFirst) * 2;

inline constexpr std::string_view kOrdersQuery =
    R"(query ReconcileOrders($first: Int!, $after: String, $query: String, $lineItems: Int = 20) {
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
      lineItems(first: $lineItems) {
        pageInfo { hasNextPage }
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
          pageInfo { hasNextPage }
          edges { node { quantity subtotalSet { shopMoney { amount } } } }
        }
      }
    } }
  }
})";

inline constexpr std::string_view kProductsQuery =
    R"(query ReconcileProducts($first: Int!, $after: String, $query: String, $variants: Int = 50) {
  products(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      legacyResourceId title handle vendor productType status createdAt updatedAt
      variants(first: $variants) {
        pageInfo { hasNextPage }
        edges { node {
          legacyResourceId title sku price inventoryQuantity updatedAt
          inventoryItem { legacyResourceId }
        } }
      }
    } }
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
