package io.mptcp.nio.internal.async;

import java.nio.channels.CompletionHandler;
import java.nio.channels.ShutdownChannelGroupException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs completion handlers as the JDK's {@code sun.nio.ch.Invoker} does: directly on the
 * current thread when it is one of the channel's group and fewer than
 * {@code sun.nio.ch.maxCompletionHandlersOnStack} (16) handlers are already on its stack, else
 * on a thread of the group. The bound keeps a chain of operations that complete at once (a
 * read of data already there, whose handler reads again) from overflowing the stack.
 */
final class Invoker {

    private static final int MAX_ON_STACK =
            Integer.getInteger("sun.nio.ch.maxCompletionHandlersOnStack", 16);

    // Set on each thread that belongs to a group: its group and its handler depth.
    private static final ThreadLocal<GroupThread> CURRENT = new ThreadLocal<>();

    private Invoker() {
    }

    /** A group's thread, and how many handlers it runs nested now. */
    static final class GroupThread {
        final AsyncGroup group;
        int depth;

        GroupThread(AsyncGroup group) {
            this.group = group;
        }
    }

    static void bind(AsyncGroup group) {
        CURRENT.set(new GroupThread(group));
    }

    /** This thread's group binding, or null for a thread of no group. */
    static GroupThread current() {
        return CURRENT.get();
    }

    static boolean mayInvokeDirect(GroupThread me, AsyncGroup group) {
        return me != null && me.group == group && me.depth < MAX_ON_STACK;
    }

    /** Runs the handler here, whatever the thread. */
    static <V, A> void invokeUnchecked(CompletionHandler<V, ? super A> handler, A attachment,
            V value, Throwable exc) {
        if (exc == null) {
            handler.completed(value, attachment);
        } else {
            handler.failed(exc, attachment);
        }
        // A handler's interrupt must not leak into the group thread's next task.
        Thread.interrupted();
    }

    /** Runs the handler here; the caller checked {@link #mayInvokeDirect}. */
    static <V, A> void invokeDirect(GroupThread me, CompletionHandler<V, ? super A> handler,
            A attachment, V value, Throwable exc) {
        me.depth++;
        invokeUnchecked(handler, attachment, value, exc);
    }

    /** Runs the handler here if this is a thread of the channel's group, else on one. */
    static <V, A> void invoke(AsyncGroup group, CompletionHandler<V, ? super A> handler,
            A attachment, V value, Throwable exc) {
        GroupThread me = CURRENT.get();
        boolean mine = me != null && me.group == group;
        if (mine && me.depth < MAX_ON_STACK) {
            invokeDirect(me, handler, attachment, value, exc);
            return;
        }
        try {
            invokeIndirectly(group, handler, attachment, value, exc);
        } catch (ShutdownChannelGroupException e) {
            // The group no longer takes tasks: its own thread may still run the handler.
            if (!mine) {
                throw e;
            }
            invokeDirect(me, handler, attachment, value, exc);
        }
    }

    /** Runs the handler on a thread of the group. */
    static <V, A> void invokeIndirectly(AsyncGroup group,
            CompletionHandler<V, ? super A> handler, A attachment, V value, Throwable exc) {
        try {
            group.executeOnPooledThread(() -> {
                GroupThread me = CURRENT.get();
                if (me != null) {
                    me.depth = 1;
                }
                invokeUnchecked(handler, attachment, value, exc);
            });
        } catch (RejectedExecutionException e) {
            throw new ShutdownChannelGroupException();
        }
    }
}
