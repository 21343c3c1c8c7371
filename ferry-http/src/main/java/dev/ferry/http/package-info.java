/**
 * The broker's embedded HTTP server: routing, bounded bodies, Basic authentication and error
 * rendering around the JDK's HTTP server, shared by the schema registry and the web console.
 */
package dev.ferry.http;
