-- The reconciler's place per shop and entity: the newest `updated_at` whose records are
-- durable in Kafka. Each pass asks Shopify for what changed since (minus an overlap).
CREATE TABLE shopstream.reconcile_watermarks (
  shop_domain text        NOT NULL,
  entity      text        NOT NULL,  -- orders, products, customers
  watermark   timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_domain, entity)
);
