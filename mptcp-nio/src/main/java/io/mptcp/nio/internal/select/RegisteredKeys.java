package io.mptcp.nio.internal.select;

import java.util.ArrayList;
import java.util.List;

/**
 * The selection keys of a channel whose descriptor can come to name a new file (an MPTCP/TCP
 * switch before bind or connect), so that each selector holding the channel can register it with
 * epoll again. The AbstractSelectableChannel keeps its keys private, hence this list.
 *
 * <p>Not thread-safe: the owning channel guards it with its state lock. Cancelled keys are
 * pruned whenever a key is added, so the list holds at most one key per selector that has the
 * channel registered.
 */
public final class RegisteredKeys {
    private final List<SelectionKeyImpl> keys = new ArrayList<>(1);

    public void add(SelectionKeyImpl key) {
        keys.removeIf(k -> !k.isValid());
        keys.add(key);
    }

    /** Has every selector still holding the channel register its new file. */
    public void descriptorReplaced() {
        for (SelectionKeyImpl key : keys) {
            if (key.isValid()) {
                key.descriptorReplaced();
            }
        }
    }
}
