/**
 * The web console: an HTTP service in the broker ({@code console.port}) whose pages show and change
 * the cluster through the Kafka Admin and Consumer clients, connected to the broker's own listener
 * with the signed-in user's credentials, so the broker authorizes the console like any client.
 * {@code .api} holds the HTTP routes and JSON, {@code .kafka} the client-side queries, {@code
 * .decode} how record bytes are shown; the front end is static HTML, CSS and JavaScript in {@code
 * dev/ferry/console/web}.
 */
package dev.ferry.console;
