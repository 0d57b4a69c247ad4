-- daily_sales: Shopify's report definitions. gross = Σ line price × quantity;
-- net = gross − discounts − returns; total = net + shipping + taxes. `day` is the
-- shop-local calendar date: an order counts on its created_at date at its own UTC offset,
-- a return on its refund's. Test orders, deleted orders and tombstones (rows known only
-- from a delete or a redaction) are excluded, and so are their returns.
CREATE VIEW shopstream.daily_sales AS
WITH live_orders AS (
  SELECT * FROM shopstream.orders
  WHERE NOT test AND deleted_at IS NULL AND created_at IS NOT NULL AND local_date IS NOT NULL
),
order_days AS (
  SELECT o.shop_domain, o.local_date AS day, count(*) AS orders,
         coalesce(sum(li.gross), 0) AS gross_sales,
         coalesce(sum(o.total_discounts), 0) AS discounts,
         coalesce(sum(o.total_tax), 0) AS taxes,
         coalesce(sum(o.total_shipping), 0) AS shipping
  FROM live_orders o
  LEFT JOIN (SELECT shop_domain, order_id, sum(price * quantity) AS gross
             FROM shopstream.order_line_items GROUP BY shop_domain, order_id) li
    ON li.shop_domain = o.shop_domain AND li.order_id = o.id
  GROUP BY o.shop_domain, o.local_date
),
return_days AS (
  SELECT r.shop_domain, r.local_date AS day, sum(r.amount) AS returns
  FROM shopstream.refunds r
  JOIN live_orders o ON o.shop_domain = r.shop_domain AND o.id = r.order_id
  GROUP BY r.shop_domain, r.local_date
)
SELECT coalesce(d.shop_domain, r.shop_domain) AS shop_domain,
       coalesce(d.day, r.day) AS day,
       coalesce(d.orders, 0) AS orders,
       coalesce(d.gross_sales, 0) AS gross_sales,
       coalesce(d.discounts, 0) AS discounts,
       coalesce(r.returns, 0) AS returns,
       coalesce(d.gross_sales, 0) - coalesce(d.discounts, 0) - coalesce(r.returns, 0) AS net_sales,
       coalesce(d.taxes, 0) AS taxes,
       coalesce(d.gross_sales, 0) - coalesce(d.discounts, 0) - coalesce(r.returns, 0)
         + coalesce(d.shipping, 0) + coalesce(d.taxes, 0) AS total_sales,
       coalesce(d.shipping, 0) AS shipping
FROM order_days d
FULL OUTER JOIN return_days r ON r.shop_domain = d.shop_domain AND r.day = d.day;
