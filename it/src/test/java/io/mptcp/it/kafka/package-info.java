/**
 * Apache Kafka (a KRaft broker and its producer, consumer and admin clients, all on Kafka's
 * NIO selector) in child JVMs on each route, checked from the kernel side.
 */
package io.mptcp.it.kafka;
