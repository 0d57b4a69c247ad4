-- Entities a reconcile pass found at the source but could not publish: an answer that
-- could not be mapped, or a node that could not be read whole. Each later pass reads
-- them again by id; the row goes once one is published, found current or gone.
CREATE TABLE shopstream.reconcile_skipped (
  shop_domain      text        NOT NULL,
  entity           text        NOT NULL,  -- orders, products, customers
  id               bigint      NOT NULL,
  reason           text        NOT NULL,  -- invalid, truncated
  attempts         integer     NOT NULL DEFAULT 1,
  first_skipped_at timestamptz NOT NULL DEFAULT now(),
  last_skipped_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (shop_domain, entity, id)
);
