/**
 * The broker's Prometheus metrics: network and per-API request series fed by the network layer's
 * {@link dev.ferry.network.NetworkMetrics} hook, per-topic bytes in fed by the append path,
 * partition and log gauges read at scrape time, JVM metrics, and the HTTP endpoint serving them on
 * {@code metrics.port}.
 *
 * <p>Everything on a request's path is a pre-registered data point reached through an array index
 * or a map keyed by an existing string: no label lookups, no string building per request.
 */
package dev.ferry.metrics;
