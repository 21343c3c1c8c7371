/** The console's HTTP side: the JSON API, its error mapping and the static front end. */
package dev.ferry.console.api;
