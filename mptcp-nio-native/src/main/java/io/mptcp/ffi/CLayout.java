package io.mptcp.ffi;

/**
 * Derives the member offsets of a C struct or union from its members in declaration order, with
 * the rules gcc applies on the LP64 ABIs of x86-64 and aarch64: every scalar is aligned to its
 * size, an aggregate to its most aligned member, and its size is padded to that alignment.
 *
 * <p>Mirrors declare one member per line in kernel order and keep the returned offsets in
 * {@code static final int} constants, so no offset is typed by hand and the layout tests compare
 * what was derived with offsets measured by {@code offsetof} in C. This is pure Java on purpose:
 * a jnr {@code StructLayout} needs the jffi runtime loaded (class initialisation of a mirror
 * would then fail wherever jffi cannot load) and models neither unions nor
 * {@code __attribute__((aligned))}.
 */
final class CLayout {
    private final boolean union;
    private int size;
    private int alignment = 1;

    private CLayout(boolean union) {
        this.union = union;
    }

    /** An empty {@code struct}: members follow each other. */
    static CLayout struct() {
        return new CLayout(false);
    }

    /** An empty {@code union}: every member is at offset 0. */
    static CLayout union() {
        return new CLayout(true);
    }

    int u8() {
        return member(1, 1);
    }

    int u16() {
        return member(2, 2);
    }

    int u32() {
        return member(4, 4);
    }

    int u64() {
        return member(8, 8);
    }

    /** An array member of {@code count} scalars of {@code elementSize} bytes each. */
    int array(int elementSize, int count) {
        return member(elementSize * count, elementSize);
    }

    /** An embedded struct or union. */
    int member(CLayout aggregate) {
        return member(aggregate.size(), aggregate.alignment);
    }

    /** {@code __attribute__((aligned(n)))} on the aggregate itself. */
    CLayout aligned(int n) {
        alignment = Math.max(alignment, n);
        return this;
    }

    /** {@code sizeof}: the extent of the members, padded to the alignment. */
    int size() {
        return align(size, alignment);
    }

    /** {@code _Alignof}. */
    int alignment() {
        return alignment;
    }

    private int member(int memberSize, int memberAlignment) {
        int offset = union ? 0 : align(size, memberAlignment);
        size = Math.max(size, offset + memberSize);
        alignment = Math.max(alignment, memberAlignment);
        return offset;
    }

    private static int align(int value, int alignment) {
        return (value + alignment - 1) & -alignment;
    }
}
