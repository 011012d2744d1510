package io.mptcp.nio.internal.net;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** UNIX-domain names as the JDK spells them; no system call. */
class UnixDomainNamesTest {

    @Test
    void theTemporaryDirectoryIsThePropertyThenNetPropertiesThenJavaIoTmpdir() {
        assertEquals("/sys", UnixDomainNames.tempDirectory("/sys", "/net", "/io"));
        assertEquals("/net", UnixDomainNames.tempDirectory(null, "/net", "/io"));
        assertEquals("/net", UnixDomainNames.tempDirectory("", "/net", "/io"));
        assertEquals("/io", UnixDomainNames.tempDirectory(null, "", "/io"));
        assertNull(UnixDomainNames.tempDirectory(null, null, null));
    }

    @Test
    void temporaryNamesAreFreshSocketFilesInOneDirectory() throws Exception {
        Path a = UnixDomainNames.temporaryName().getPath();
        Path b = UnixDomainNames.temporaryName().getPath();
        assertNotEquals(a, b);
        assertEquals(a.getParent(), b.getParent());
        assertEquals(true, a.getFileName().toString().matches("socket_[0-9]+"), a.toString());
    }

    @Test
    void pathBytesAreThePathsStringAndTheEmptyPathIsTheCurrentDirectory() throws Exception {
        assertArrayEquals("/tmp/a b".getBytes(StandardCharsets.US_ASCII),
                UnixDomainNames.pathBytes(Path.of("/tmp/a b")));
        assertArrayEquals("rel/x".getBytes(StandardCharsets.US_ASCII),
                UnixDomainNames.pathBytes(Path.of("rel//x/")));
        assertArrayEquals(new byte[] {'.'}, UnixDomainNames.pathBytes(Path.of("")));
    }

    @Test
    void pathsOver106BytesAreTooLongAsInTheJdk() throws Exception {
        UnixDomainNames.pathBytes(Path.of("/" + "x".repeat(105)));
        SocketException e = assertThrows(SocketException.class,
                () -> UnixDomainNames.pathBytes(Path.of("/" + "x".repeat(106))));
        assertEquals("Unix domain path too long", e.getMessage());
    }

    @Test
    void kernelNamesBecomeAddressesAndTheEmptyOneIsUnnamed() {
        assertSame(UnixDomainNames.unnamed(), UnixDomainNames.address(new byte[0]));
        assertEquals(UnixDomainSocketAddress.of(""), UnixDomainNames.unnamed());
        assertEquals(UnixDomainSocketAddress.of("/run/x.sock"),
                UnixDomainNames.address("/run/x.sock".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void onlyUnixDomainAddressesPassTheCheck() {
        assertThrows(NullPointerException.class, () -> UnixDomainNames.checkAddress(null));
        assertThrows(UnsupportedAddressTypeException.class,
                () -> UnixDomainNames.checkAddress(new InetSocketAddress(80)));
        UnixDomainSocketAddress a = UnixDomainSocketAddress.of("/x");
        assertSame(a, UnixDomainNames.checkAddress(a));
    }
}
