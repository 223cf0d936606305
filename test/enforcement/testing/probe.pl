# Probes many TCP and UDP targets at once from one process, inside a pod: the debian base of the
# agnhost image has perl-base, and one process per source pod keeps thousands of probes within the
# test's budget (an agnhost connect process per probe costs ~40 ms of CPU here).
#
#   perl -e "$(cat probe.pl)" TIMEOUT_MS ID,IP,PORT,tcp|udp ...
#
# Prints one line per target, "ID ok" or "ID fail REASON". TCP: the handshake completes (ok), or the
# connection is refused or times out. UDP: agnhost porter answers a datagram with its payload (ok),
# or an ICMP error (refused) or silence (timeout). Each target is tried in parallel with the others.
use strict;
use warnings;
use Socket qw(AF_INET SOCK_STREAM SOCK_DGRAM SOL_SOCKET SO_ERROR inet_aton pack_sockaddr_in);
use Fcntl qw(F_GETFL F_SETFL O_NONBLOCK);
use Errno qw(EINPROGRESS);
use POSIX ();

my $tick = POSIX::sysconf(POSIX::_SC_CLK_TCK());
sub now { return (POSIX::times())[0] / $tick }

my $timeout = shift(@ARGV) / 1000;
my (%pending, %result);
for my $spec (@ARGV) {
  my ($id, $ip, $port, $proto) = split /,/, $spec;
  my $type = $proto eq 'udp' ? SOCK_DGRAM : SOCK_STREAM;
  my $fh;
  socket($fh, AF_INET, $type, 0) or do { $result{$id} = "fail socket:$!"; next };
  fcntl($fh, F_SETFL, fcntl($fh, F_GETFL, 0) | O_NONBLOCK);
  my $addr = pack_sockaddr_in($port, inet_aton($ip));
  if (!connect($fh, $addr) && $! != EINPROGRESS) { $result{$id} = "fail connect:$!"; next }
  if ($proto eq 'udp') {
    defined(send($fh, 'hostname', 0)) or do { $result{$id} = "fail send:$!"; next };
  }
  $pending{fileno($fh)} = [$id, $fh, $proto];
}
my $deadline = now() + $timeout;
while (%pending) {
  my $left = $deadline - now();
  last if $left <= 0;
  my ($rin, $win) = ('', '');
  for my $fd (keys %pending) {
    vec($pending{$fd}[2] eq 'udp' ? $rin : $win, $fd, 1) = 1;
  }
  my ($rout, $wout) = ($rin, $win);
  my $n = select($rout, $wout, undef, $left < 0.05 ? $left : 0.05);
  next if $n <= 0;
  for my $fd (keys %pending) {
    my ($id, $fh, $proto) = @{$pending{$fd}};
    if ($proto eq 'udp') {
      next unless vec($rout, $fd, 1);
      my $buf;
      $result{$id} = defined(recv($fh, $buf, 512, 0)) ? 'ok' : "fail refused:$!";
    } else {
      next unless vec($wout, $fd, 1);
      my $err = unpack('i', getsockopt($fh, SOL_SOCKET, SO_ERROR));
      $result{$id} = $err == 0 ? 'ok' : 'fail refused:' . ($! = $err);
    }
    close($fh);
    delete $pending{$fd};
  }
}
$result{$_->[0]} = 'fail timeout' for values %pending;
print "$_ $result{$_}\n" for sort keys %result;
