package dev.ferry.network;

import java.net.InetAddress;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A parsed request as it leaves the network layer. {@code body} may reference the receive buffer
 * (record batches are slices of it); the buffer is never reused, so handlers may keep it.
 */
public record NetworkRequest(
    RequestHeader header,
    AbstractRequest body,
    int sizeInBytes,
    String connectionId,
    InetAddress clientAddress,
    long receivedNanos) {}
