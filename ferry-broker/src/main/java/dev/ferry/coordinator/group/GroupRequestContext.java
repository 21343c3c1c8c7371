package dev.ferry.coordinator.group;

/**
 * Facts about the request that the group protocol needs besides its body.
 *
 * @param clientId the request header's client id (prefix of generated member ids)
 * @param clientHost the client's address, shown by DescribeGroups
 * @param apiVersion the request's version (decides e.g. the member-id-required round trip)
 * @param topics the topics the request's principal may describe (regex subscriptions)
 */
public record GroupRequestContext(
    String clientId, String clientHost, short apiVersion, TopicVisibility topics) {

  public GroupRequestContext {
    clientId = clientId == null ? "" : clientId;
    clientHost = clientHost == null ? "" : clientHost;
    topics = topics == null ? TopicVisibility.ALL : topics;
  }

  /** A context whose principal may describe every topic. */
  public GroupRequestContext(String clientId, String clientHost, short apiVersion) {
    this(clientId, clientHost, apiVersion, TopicVisibility.ALL);
  }
}
