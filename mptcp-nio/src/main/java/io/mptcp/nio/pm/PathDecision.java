package io.mptcp.nio.pm;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A decision a {@link PathPolicy} tells the library about with {@link PathControl#report}: the
 * library turns it into a JFR event and a {@code System.Logger} line (INFO, logger
 * {@code io.mptcp.nio.pm.PathProfile}), and gives its reason to the commands the policy issues
 * after it in the same callback. The commands themselves are recorded without being reported.
 */
public sealed interface PathDecision {
    /** {@return why the policy decided it} */
    String reason();

    /**
     * Traffic moved from one path to another: the old active subflow was taken as dead or
     * worse, another one was made active.
     *
     * @param from the local address of the old active subflow
     * @param to the local address of the subflow made active
     * @param reason why the old path was left
     * @param stall how long the old path had bytes outstanding without an acknowledgement when
     *     the policy decided, if it knows (empty for a switch made for another reason than a
     *     stall, or before the policy had measured the path)
     */
    record Handover(InetSocketAddress from, InetSocketAddress to, String reason,
            Optional<Duration> stall) implements PathDecision {
        /**
         * @param from the local address of the old active subflow
         * @param to the local address of the subflow made active
         * @param reason why the old path was left
         * @param stall how long the old path had stalled, if known
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if {@code stall} is negative
         */
        public Handover {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(stall, "stall");
            if (stall.isPresent() && stall.get().isNegative()) {
                throw new IllegalArgumentException("Handover: stall " + stall.get()
                        + " is negative; give the time the old path went without progress");
            }
        }
    }

    /**
     * A decision that is not a command, typically one not to act: keeping a dead subflow that
     * is the last one, or finding no backup to promote.
     *
     * @param what what was decided, for example {@code "keep 10.0.1.1:40000"}
     * @param reason why
     */
    record Note(String what, String reason) implements PathDecision {
        /**
         * @param what what was decided
         * @param reason why
         * @throws NullPointerException if an argument is null
         */
        public Note {
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
