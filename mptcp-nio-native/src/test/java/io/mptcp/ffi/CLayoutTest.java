package io.mptcp.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The C layout rules, on small structs whose gcc layout is easy to check by hand. */
class CLayoutTest {

    @Test
    void membersAreAlignedToTheirSizeAndTheStructIsPaddedToItsAlignment() {
        // struct { u8 a; u32 b; u8 c; u64 d; u16 e; }
        CLayout l = CLayout.struct();
        assertEquals(0, l.u8());
        assertEquals(4, l.u32());
        assertEquals(8, l.u8());
        assertEquals(16, l.u64());
        assertEquals(24, l.u16());
        assertEquals(32, l.size());
        assertEquals(8, l.alignment());
    }

    @Test
    void unionMembersShareOffsetZero() {
        CLayout u = CLayout.union();
        assertEquals(0, u.array(1, 6));
        assertEquals(0, u.u32());
        assertEquals(8, u.size(), "6 bytes padded to the u32 alignment");
    }

    @Test
    void embeddedAggregatesAlignToTheirOwnAlignment() {
        CLayout inner = CLayout.struct().aligned(8);
        inner.u32();
        CLayout outer = CLayout.struct();
        assertEquals(0, outer.u16());
        assertEquals(8, outer.member(inner));
        assertEquals(16, outer.size());
    }

    @Test
    void arraysAlignToTheirElement() {
        CLayout l = CLayout.struct();
        l.u8();
        assertEquals(2, l.array(2, 3));
        assertEquals(8, l.size());
    }
}
