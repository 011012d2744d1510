/**
 * The path manager's view of MPTCP connections: {@link io.mptcp.nio.pm.MptcpEvent}, the
 * events of the kernel's {@code mptcp_pm} generic netlink family and of rtnetlink (links and
 * local addresses), as immutable values.
 *
 * <p><b>Growth.</b> The events are records: values, compared by their components. When a later
 * kernel sends a new attribute that is worth a field, a release may <em>append</em> a component
 * to a record; components are never removed or reordered. Code that reads events through their
 * accessors and switches on their type ({@code case SubflowClosed c -> c.error()}) keeps
 * compiling; code that calls the canonical constructors or deconstructs records with record
 * patterns ({@code case SubflowClosed(var s, var t, ...)}) may have to be adapted. Only the
 * library creates events; tests may construct them. What a kernel sends that no component
 * holds is never dropped: an event type the library does not know, or a known type without an
 * attribute it needs, arrives as {@link io.mptcp.nio.pm.MptcpEvent.Unknown} with every raw
 * attribute.
 */
package io.mptcp.nio.pm;
