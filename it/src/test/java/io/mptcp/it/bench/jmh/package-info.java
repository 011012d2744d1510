/**
 * JMH benchmarks, for allocation per operation with the gc profiler.
 */
package io.mptcp.it.bench.jmh;
