package io.mptcp.it.jetty;

import io.mptcp.nio.MptcpSocketOptions;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SocketChannelEndPoint;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * An unmodified Jetty 12 server with two connectors: HTTP over TCP ({@link ServerConnector} on
 * 127.0.0.1, a free port) and over a UNIX-domain socket ({@link UnixDomainServerConnector} on
 * the path given as argument 1). Each response says which channel served it, so the test sees
 * that the channels are the provider's: {@code hello over <tcp|unix>: channel=<class>
 * local=<address> remote=<address> mptcp=<MPTCP_ENABLED or n/a>}.
 *
 * <p>Prints {@code PROVIDER <class>}, {@code LISTENING tcp=<port> unix=<path>} and
 * {@code ACCEPTORS tcp=<channel class> unix=<channel class>}, then serves until a line
 * {@code STOP} arrives on standard input.
 */
public final class JettyServerMain {
    private JettyServerMain() {
    }

    public static void main(String[] args) throws Exception {
        Path unixPath = Path.of(args[0]);
        System.out.println("PROVIDER " + SelectorProvider.provider().getClass().getName());
        Server server = new Server();
        ServerConnector tcp = new ServerConnector(server);
        tcp.setHost("127.0.0.1");
        tcp.setPort(0);
        UnixDomainServerConnector unix = new UnixDomainServerConnector(server);
        unix.setUnixDomainPath(unixPath);
        server.addConnector(tcp);
        server.addConnector(unix);
        server.setHandler(new Describing());
        server.start();
        System.out.println("LISTENING tcp=" + tcp.getLocalPort() + " unix="
                + unix.getUnixDomainPath());
        System.out.println("ACCEPTORS tcp=" + tcp.getTransport().getClass().getName()
                + " unix=" + unix.getTransport().getClass().getName());

        BufferedReader in = new BufferedReader(
                new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("STOP"); ) {
            // wait for STOP (or end of input)
        }
        server.stop();
        System.out.println("STOPPED");
    }

    /** Answers every request with a description of the channel that carries it. */
    private static final class Describing extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback)
                throws IOException {
            String body = describe(request) + "\n";
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.getHeaders().put(HttpHeader.CONTENT_LENGTH,
                    body.getBytes(StandardCharsets.UTF_8).length);
            Content.Sink.write(response, true, body, callback);
            return true;
        }

        private static String describe(Request request) throws IOException {
            EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
            if (!(endPoint instanceof SocketChannelEndPoint scep)) {
                return "hello over an unexpected end point " + endPoint.getClass().getName();
            }
            SocketChannel ch = scep.getChannel();
            boolean unix = ch.getLocalAddress() instanceof java.net.UnixDomainSocketAddress;
            return "hello over " + (unix ? "unix" : "tcp") + ": channel="
                    + ch.getClass().getName() + " local=" + ch.getLocalAddress() + " remote="
                    + ch.getRemoteAddress() + " mptcp=" + mptcpEnabled(ch);
        }

        private static String mptcpEnabled(NetworkChannel ch) throws IOException {
            return ch.supportedOptions().contains(MptcpSocketOptions.MPTCP_ENABLED)
                    ? ch.getOption(MptcpSocketOptions.MPTCP_ENABLED).toString() : "n/a";
        }
    }
}
