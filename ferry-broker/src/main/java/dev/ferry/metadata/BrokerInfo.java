package dev.ferry.metadata;

/** A live broker as registered in ZooKeeper. {@code rack} may be null. */
public record BrokerInfo(int id, String host, int port, String rack) {}
