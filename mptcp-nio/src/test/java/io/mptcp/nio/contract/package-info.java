/**
 * Contract tests: the same cases run against the JDK's {@code SelectorProvider} and ours, on
 * loopback, so that a case passing on the JDK shows the case itself is right.
 *
 * <p>Layout. Each {@code *Contract} class is an abstract suite over
 * {@link io.mptcp.nio.contract.ChannelContract#provider()}, and has three concrete subclasses:
 * {@code Jdk*ContractTest} (the JDK's provider), {@code Mptcp*ContractTest} (ours, mode
 * {@code all}: MPTCP) and {@code MptcpOff*ContractTest} (ours, {@code io.mptcp.nio.mode=off}:
 * plain TCP). Cases only our provider has (the {@code MptcpSocketOptions}) live in
 * {@link io.mptcp.nio.contract.MptcpSocketOptionsContract}, under the two Mptcp subclasses.
 * The UNIX-domain suites ({@code UnixDomain*Contract}) have the JDK and the Mptcp subclass
 * only: the mode does not apply to UNIX-domain sockets.
 * Everything is opened through {@code provider()}; the JDK's own channels appear only as
 * infrastructure (a listener that drops SYNs, a foreign channel for the selector to refuse)
 * and say so where they do.
 *
 * <p>Running. {@code mvn -pl mptcp-nio -am verify -Dtest='Jdk*ContractTest'
 * -Dsurefire.failIfNoSpecifiedTests=false} runs the JDK side only. The mode subclasses set and
 * restore a system property in {@code @BeforeAll}/{@code @AfterAll}, so test classes must run
 * one after another in one JVM (surefire's default; do not turn on class-level parallelism).
 * Every test has a deadline and runs on its own thread, so an implementation stuck in a native
 * call fails the test instead of hanging the build.
 *
 * <p>Where the JDK's behaviour differs from what one would guess (kept as assertions):
 * <ul>
 *   <li>{@code getOption(SO_RCVBUF/SO_SNDBUF)} returns the size set: the JDK halves the doubled
 *       value Linux reports.
 *   <li>{@code setOption(SO_LINGER, n)}: a negative {@code n} reads back as -1, a value above
 *       65535 as 65535; {@code socket().setSoLinger(true, -1)} disables linger, no exception.
 *   <li>{@code setOption(SO_RCVBUF, 0)} is accepted by the channel, while the adaptor's
 *       {@code setReceiveBufferSize(0)} throws {@code IllegalArgumentException}.
 *   <li>After {@code close()}, the socket adaptor reports {@code isConnected() == false} (a
 *       {@code java.net.Socket} keeps {@code true}) and {@code isBound() == true}.
 *   <li>The adaptor's {@code getInputStream()} works in non-blocking mode; only its
 *       {@code read}/{@code write} throw {@code IllegalBlockingModeException}. Closing either
 *       stream closes the channel.
 *   <li>A blocking write that has already transferred bytes is not failed by an asynchronous
 *       close: it returns the partial count and the next write throws
 *       {@code ClosedChannelException}.
 *   <li>Closing a socket with unread received data resets the connection: the peer's read
 *       throws {@code SocketException}, not end of stream (Linux).
 *   <li>JDK 17 and 25 differ: {@code socket().connect} on a connected channel throws
 *       {@code AlreadyConnectedException} on 17 and {@code SocketException} on 25; a closed
 *       server adaptor's {@code accept()} throws {@code AsynchronousCloseException} on 17 and
 *       {@code ClosedChannelException} on 25. Neither is asserted.
 *   <li>UNIX domain: a server bound to {@code null} gets {@code /tmp/socket_<n>} and the
 *       socket file stays after close; a client is unnamed (empty path) after connect and
 *       {@code bind(null)} binds nothing; paths over 106 bytes fail with
 *       {@code SocketException("Unix domain path too long")}; connecting to a missing path is a
 *       plain {@code SocketException}, to a non-socket file a {@code ConnectException}; a
 *       non-blocking connect to a full backlog fails ({@code EAGAIN}) while a blocking one
 *       waits for room; {@code socket()} throws {@code UnsupportedOperationException}. The
 *       toString of a bound UNIX server differs between 17 ({@code []}) and 25 (the path) and
 *       is not asserted.
 *   <li>Datagrams, JDK 17 and 25 differ too: a blocking {@code receive}, {@code read} or
 *       {@code send} on a closed channel throws {@code AsynchronousCloseException} on 17 and
 *       {@code ClosedChannelException} on 25 (its superclass, which is asserted); an interrupted
 *       {@code socket().receive} throws {@code SocketException("Socket closed")} on 17 and
 *       {@code ClosedByInterruptException} on 25 (either is accepted).
 *   <li>A zero-length datagram sent through a connected channel's {@code send} or
 *       {@code write} is not sent at all (the JDK skips the syscall for an empty buffer); an
 *       unconnected {@code send} of an empty buffer sends an empty datagram.
 * </ul>
 */
package io.mptcp.nio.contract;
