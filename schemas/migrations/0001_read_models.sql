-- Read models of the contract (DESIGN.md "Postgres read models"). Money is numeric,
-- times timestamptz. Every table is keyed by (shop_domain, id) so it can be distributed
-- by shop_domain (Citus) later.

CREATE TABLE shopstream.shops (
  shop_domain    text PRIMARY KEY,
  installed_at   timestamptz,
  uninstalled_at timestamptz,
  redacted_at    timestamptz
);

CREATE TABLE shopstream.orders (
  shop_domain        text    NOT NULL,
  id                 bigint  NOT NULL,
  name               text,
  email              text,
  customer_id        bigint,
  currency           text,
  subtotal_price     numeric,
  total_price        numeric,
  total_tax          numeric,
  total_discounts    numeric,
  total_shipping     numeric,  -- shipping_lines[].price summed: daily_sales needs it
  financial_status   text,
  fulfillment_status text,
  test               boolean NOT NULL DEFAULT false,
  created_at         timestamptz,
  local_date         date,     -- created_at's calendar date at its own UTC offset
  updated_at         timestamptz,
  cancelled_at       timestamptz,
  deleted_at         timestamptz,
  redacted_at        timestamptz,
  PRIMARY KEY (shop_domain, id)
);
CREATE INDEX orders_customer_idx ON shopstream.orders (shop_domain, customer_id);
CREATE INDEX orders_local_date_idx ON shopstream.orders (shop_domain, local_date);

CREATE TABLE shopstream.order_line_items (
  shop_domain    text    NOT NULL,
  id             bigint  NOT NULL,
  order_id       bigint  NOT NULL,
  product_id     bigint,
  variant_id     bigint,
  title          text,
  sku            text,
  quantity       integer NOT NULL,
  price          numeric NOT NULL,
  total_discount numeric,
  PRIMARY KEY (shop_domain, id)
);
CREATE INDEX order_line_items_order_idx ON shopstream.order_line_items (shop_domain, order_id);
CREATE INDEX order_line_items_product_idx ON shopstream.order_line_items (shop_domain, product_id);

CREATE TABLE shopstream.products (
  shop_domain  text   NOT NULL,
  id           bigint NOT NULL,
  title        text,
  handle       text,
  vendor       text,
  product_type text,
  status       text,
  created_at   timestamptz,
  updated_at   timestamptz,
  deleted_at   timestamptz,
  PRIMARY KEY (shop_domain, id)
);

CREATE TABLE shopstream.product_variants (
  shop_domain        text   NOT NULL,
  id                 bigint NOT NULL,
  product_id         bigint NOT NULL,
  title              text,
  sku                text,
  price              numeric,
  inventory_quantity integer,
  inventory_item_id  bigint,
  updated_at         timestamptz,
  PRIMARY KEY (shop_domain, id)
);
CREATE INDEX product_variants_product_idx ON shopstream.product_variants (shop_domain, product_id);

CREATE TABLE shopstream.customers (
  shop_domain text   NOT NULL,
  id          bigint NOT NULL,
  email       text,
  first_name  text,
  last_name   text,
  phone       text,
  state       text,
  created_at  timestamptz,
  updated_at  timestamptz,
  deleted_at  timestamptz,
  redacted_at timestamptz,
  PRIMARY KEY (shop_domain, id)
);

CREATE TABLE shopstream.refunds (
  shop_domain text   NOT NULL,
  id          bigint NOT NULL,
  order_id    bigint NOT NULL,
  created_at  timestamptz,
  local_date  date,     -- created_at's calendar date at its own UTC offset
  amount      numeric,  -- value of the returned line items (refund_line_items[].subtotal)
  PRIMARY KEY (shop_domain, id)
);
CREATE INDEX refunds_order_idx ON shopstream.refunds (shop_domain, order_id);

-- customers/data_request: recorded so the app can answer within Shopify's 30 days.
CREATE TABLE shopstream.data_requests (
  shop_domain      text   NOT NULL,
  id               bigint NOT NULL,
  customer_id      bigint,
  orders_requested bigint[],
  received_at      timestamptz NOT NULL,
  PRIMARY KEY (shop_domain, id)
);

-- Consumer positions, written in the same transaction as the rows they produced.
CREATE TABLE shopstream.consumer_offsets (
  consumer_group text    NOT NULL,
  topic          text    NOT NULL,
  partition      integer NOT NULL,
  next_offset    bigint  NOT NULL,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, topic, partition)
);
