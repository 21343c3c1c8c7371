/** How the console shows record bytes: JSON, text, hex, or decoded through a schema registry. */
package dev.ferry.console.decode;
