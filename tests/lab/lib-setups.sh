# Healthy real setups, rebuilt in namespaces of this run (issue 14), and
# real DHCP clients to run on them; source after lib.sh.  Each setup_X
# makes a host namespace shaped like the host X builds (bridge, ports, the
# DHCP/DNS server the way X runs it, X's firewall rules) and sets:
#   SETUP_H     host namespace          SETUP_BR   the bridge
#   SETUP_UPLINK the uplink port, or "" (the server is on the host itself)
#   SETUP_SERVER the DHCP server's and resolver's address
#   SETUP_NAME  a name that resolver answers, SETUP_ADDR its address
#   SETUP_POOL  a shell pattern the leased addresses match
#   SETUP_TAPS  how X names a guest's port: each setup_guest takes the next
#   SETUP_KIND  X, SETUP_MAC_PREFIX the guests' MACs (X's OUI) but the last byte
# setup_guest then plugs one guest into the bridge the way X does (a veth
# whose host end is named like X's taps), and sets GUEST_NS, GUEST_TAP and
# GUEST_MAC.  Nothing is installed: each daemon's network shape is copied
# from its Debian package or its source, as said at each setup.
#
# The clients (client_udhcpc, client_dhclient, client_networkd NS IF) do
# DHCP in the guest namespace the way the real client does by default,
# then resolve SETUP_NAME twice: busybox nslookup at the leased DNS server,
# and glibc (getent ahosts) through /etc/netns/NS/resolv.conf holding that
# server.  Run again on the same guest, a client is a returning one: same
# MAC, lease file kept.  Figures go to LAB_DIR/NS.CLIENT.N.*.

SETUP_ETC=""
# /etc/netns/NS/resolv.conf lives outside the namespace: removed at exit
setups_cleanup() {
	for n in $SETUP_ETC; do rm -rf "/etc/netns/$n"; done
	lab_cleanup
}
trap setups_cleanup EXIT

# setup_is KIND BR UPLINK SERVER NAME ADDR POOL TAPS MAC_PREFIX: what a
# setup is, for the scenarios: its kind, bridge, uplink ("" none), DHCP
# and DNS server, a name it resolves to ADDR, the lease pool (a shell
# pattern), the guests' tap prefix and MAC prefix
setup_is() {
	SETUP_KIND=$1 SETUP_BR=$2 SETUP_UPLINK=$3 SETUP_SERVER=$4 SETUP_NAME=$5
	SETUP_ADDR=$6 SETUP_POOL=$7 SETUP_TAPS=$8 SETUP_MAC_PREFIX=$9
}

# setup_sysctl NS KEY=VAL...
setup_sysctl() { ss_ns=$1; shift; ip netns exec "$ss_ns" sysctl -qw "$@" >/dev/null; }

# setup_dnsmasq NS NAME ARGS...: dnsmasq in NS, in the foreground, as root
# (the lab has no daemon users), its pid and log in LAB_DIR/NAME.*;
# returns once it runs.  Only the setup's own options are given here.
setup_dnsmasq() {
	sd_ns=$1; sd_name=$2; shift 2
	ip netns exec "$sd_ns" dnsmasq --keep-in-foreground --user=root --log-dhcp --log-queries \
		--pid-file="$LAB_DIR/$sd_name.pid" --log-facility="$LAB_DIR/$sd_name.log" "$@" &
	LAB_PIDS="$LAB_PIDS $!"
	wait_for 5 test -s "$LAB_DIR/$sd_name.pid" || fail "dnsmasq $sd_name did not start: $(cat "$LAB_DIR/$sd_name.log" 2>/dev/null)"
}

# libvirt's default network, as libvirt 9.0 (Debian 12) makes it from
# /usr/share/libvirt/networks/default.xml: bridge virbr0 (here vbr0) with
# stp='on' delay='0' (the defaults): the kernel raises a forward delay of
# 0 to its 2 s minimum when STP goes on, so a new port listens 2 s and
# learns 2 s.  No IPv6 on the network: libvirt turns IPv6 off on the
# bridge.  libvirt sets ip_forward; br_netfilter is not loaded on such a
# host (bridge-nf-call-iptables 0).
setup_libvirt() {
	SETUP_H=$(lab_ns host)
	setup_is libvirt vbr0 "" 192.0.2.1 nas.vm.test 192.0.2.10 '192.0.2.*' vnet 52:54:00:00:01
	setup_sysctl "$SETUP_H" net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=0
	ip -n "$SETUP_H" link add vbr0 address 52:54:00:0a:0b:0c type bridge forward_delay 0 stp_state 1
	assert_eq "$(ip netns exec "$SETUP_H" cat /sys/class/net/vbr0/bridge/forward_delay)" 200 \
		"vbr0 forward delay after STP on (the kernel's minimum, in centiseconds)"
	setup_sysctl "$SETUP_H" net.ipv6.conf.vbr0.disable_ipv6=1
	ip -n "$SETUP_H" addr add 192.0.2.1/24 broadcast 192.0.2.255 dev vbr0
	ip -n "$SETUP_H" link set vbr0 up
	# libvirt's rules (src/network/network_iptables.c) as iptables-save
	# shows them on a Debian 12 host, through iptables-nft as Debian's
	# libvirt runs it; the mangle CHECKSUM rule is still added by 9.0
	ip netns exec "$SETUP_H" iptables-restore <<-'RULES'
	*mangle
	:PREROUTING ACCEPT [0:0]
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:POSTROUTING ACCEPT [0:0]
	:LIBVIRT_PRT - [0:0]
	-A POSTROUTING -j LIBVIRT_PRT
	-A LIBVIRT_PRT -o vbr0 -p udp -m udp --dport 68 -j CHECKSUM --checksum-fill
	COMMIT
	*nat
	:PREROUTING ACCEPT [0:0]
	:INPUT ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:POSTROUTING ACCEPT [0:0]
	:LIBVIRT_PRT - [0:0]
	-A POSTROUTING -j LIBVIRT_PRT
	-A LIBVIRT_PRT -s 192.0.2.0/24 -d 224.0.0.0/24 -j RETURN
	-A LIBVIRT_PRT -s 192.0.2.0/24 -d 255.255.255.255/32 -j RETURN
	-A LIBVIRT_PRT -s 192.0.2.0/24 ! -d 192.0.2.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535
	-A LIBVIRT_PRT -s 192.0.2.0/24 ! -d 192.0.2.0/24 -p udp -j MASQUERADE --to-ports 1024-65535
	-A LIBVIRT_PRT -s 192.0.2.0/24 ! -d 192.0.2.0/24 -j MASQUERADE
	COMMIT
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:LIBVIRT_FWI - [0:0]
	:LIBVIRT_FWO - [0:0]
	:LIBVIRT_FWX - [0:0]
	:LIBVIRT_INP - [0:0]
	:LIBVIRT_OUT - [0:0]
	-A INPUT -j LIBVIRT_INP
	-A FORWARD -j LIBVIRT_FWX
	-A FORWARD -j LIBVIRT_FWI
	-A FORWARD -j LIBVIRT_FWO
	-A OUTPUT -j LIBVIRT_OUT
	-A LIBVIRT_FWI -d 192.0.2.0/24 -o vbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A LIBVIRT_FWI -o vbr0 -j REJECT --reject-with icmp-port-unreachable
	-A LIBVIRT_FWO -s 192.0.2.0/24 -i vbr0 -j ACCEPT
	-A LIBVIRT_FWO -i vbr0 -j REJECT --reject-with icmp-port-unreachable
	-A LIBVIRT_FWX -i vbr0 -o vbr0 -j ACCEPT
	-A LIBVIRT_INP -i vbr0 -p udp -m udp --dport 53 -j ACCEPT
	-A LIBVIRT_INP -i vbr0 -p tcp -m tcp --dport 53 -j ACCEPT
	-A LIBVIRT_INP -i vbr0 -p udp -m udp --dport 67 -j ACCEPT
	-A LIBVIRT_INP -i vbr0 -p tcp -m tcp --dport 67 -j ACCEPT
	-A LIBVIRT_OUT -o vbr0 -p udp -m udp --dport 53 -j ACCEPT
	-A LIBVIRT_OUT -o vbr0 -p tcp -m tcp --dport 53 -j ACCEPT
	-A LIBVIRT_OUT -o vbr0 -p udp -m udp --dport 68 -j ACCEPT
	-A LIBVIRT_OUT -o vbr0 -p tcp -m tcp --dport 68 -j ACCEPT
	COMMIT
	RULES
	# the conf libvirt 9.0 writes to /var/lib/libvirt/dnsmasq/default.conf
	# for default.xml (option names from libvirt_driver_network.so, order
	# from libvirt's tests/networkxml2confdata), in the doc range; no
	# no-ping: dnsmasq checks an address with ICMP echo before it first
	# offers it.  The network has <domain name='vm.test' localOnly='yes'/>
	# (domain, expand-hosts, local=) and a <dns><host> entry (addn-hosts).
	# Lab changes: no-resolv (libvirt lets dnsmasq read the host's
	# resolv.conf, and nothing may leave these namespaces), files under
	# LAB_DIR.
	mkdir -p "$LAB_DIR/libvirt"
	: >"$LAB_DIR/libvirt/default.hostsfile"
	echo "192.0.2.10 nas.vm.test" >"$LAB_DIR/libvirt/default.addnhosts"
	cat >"$LAB_DIR/libvirt/default.conf" <<-CONF
	##WARNING:  THIS IS AN AUTO-GENERATED FILE. CHANGES TO IT ARE LIKELY TO BE
	##OVERWRITTEN AND LOST.  Changes to this configuration should be made using:
	##    virsh net-edit default
	## or other application using the libvirt API.
	##
	## dnsmasq conf file created by libvirt
	strict-order
	domain=vm.test
	expand-hosts
	local=/vm.test/
	except-interface=lo
	bind-dynamic
	interface=vbr0
	dhcp-range=192.0.2.2,192.0.2.254,255.255.255.0
	dhcp-no-override
	dhcp-authoritative
	dhcp-lease-max=253
	dhcp-hostsfile=$LAB_DIR/libvirt/default.hostsfile
	addn-hosts=$LAB_DIR/libvirt/default.addnhosts
	no-resolv
	CONF
	# libvirt starts it as: dnsmasq --conf-file=... --leasefile-ro
	# --dhcp-script=libvirt_leaseshelper (leases kept by the helper)
	setup_dnsmasq "$SETUP_H" libvirt --conf-file="$LAB_DIR/libvirt/default.conf" --leasefile-ro
}

# setup_lan NS IF NET: a LAN's router on link IF of namespace NS, the way a
# home or office router runs dnsmasq (OpenWrt's defaults: authoritative,
# address check by ping, local names): DHCP NET.100-NET.199, DNS for
# nas.lan.test (NET.10), resolver and gateway NET.1
setup_lan() {
	ip -n "$1" addr add "$3.1/24" dev "$2"
	ip -n "$1" link set "$2" up
	setup_dnsmasq "$1" lan --conf-file=/dev/null --no-resolv --no-hosts --interface="$2" \
		--bind-interfaces --dhcp-authoritative --domain=lan.test --local=/lan.test/ \
		--dhcp-range="$3.100,$3.199,255.255.255.0,12h" --host-record="nas.lan.test,$3.10" \
		--dhcp-leasefile="$LAB_DIR/lan.leases"
}

# A Proxmox VE node: /etc/network/interfaces as the installer writes it
# (iface vmbr0 inet static, bridge-ports eno1, bridge-stp off, bridge-fd
# 0), the node's own address on vmbr0, the LAN's router behind eno1
# serving DHCP and DNS; its offers reach the guest by unicast, between
# two ports of vmbr0.  VM 100's first NIC is tap100i0.  No Proxmox
# firewall: no br_netfilter.
setup_proxmox() {
	SETUP_H=$(lab_ns host)
	lan=$(lab_ns lan)
	setup_is proxmox vmbr0 eno1 198.51.100.1 nas.lan.test 198.51.100.10 '198.51.100.1[0-9][0-9]' tap bc:24:11:00:01
	setup_sysctl "$SETUP_H" net.bridge.bridge-nf-call-iptables=0
	ip -n "$SETUP_H" link add eno1 address 3c:ec:ef:00:00:01 type veth peer name eth0 netns "$lan"
	# ifupdown2 gives the bridge its first port's MAC
	ip -n "$SETUP_H" link add vmbr0 address 3c:ec:ef:00:00:01 type bridge stp_state 0 forward_delay 0
	ip -n "$SETUP_H" link set eno1 master vmbr0 up
	ip -n "$SETUP_H" addr add 198.51.100.2/24 dev vmbr0
	ip -n "$SETUP_H" link set vmbr0 up
	ip -n "$SETUP_H" route add default via 198.51.100.1
	setup_lan "$lan" eth0 198.51.100
}

# An incus managed bridge as incusd (internal/server/network/
# driver_bridge.go) sets it up for ipv4.address 192.0.2.1/24, ipv6.address
# none: VLAN filtering on (where the kernel has it), multicast snooping
# on, no STP; the same
# dnsmasq command line (as root, files under LAB_DIR); and the nftables
# table inet incus of its nftables driver (drivers_nftables_templates.go),
# whose input and output chains accept DHCP and DNS on the bridge and set
# the UDP checksum of the host's datagrams there to 0 (incus 6.13 and
# later).  Containers are on veth pairs named vethXXXXXXXX.
setup_incus() {
	SETUP_H=$(lab_ns host)
	setup_is incus incusbr0 "" 192.0.2.1 _gateway.incus 192.0.2.1 '192.0.2.*' veth 10:66:6a:00:01
	setup_sysctl "$SETUP_H" net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=0
	ip -n "$SETUP_H" link add incusbr0 address 10:66:6a:0a:0b:0c type bridge mcast_snooping 1
	# incusd only warns when the kernel has no VLAN filtering; so do we
	ip -n "$SETUP_H" link set incusbr0 type bridge vlan_filtering 1 2>/dev/null ||
		note "incus: this kernel has no bridge VLAN filtering (incusd goes on without)"
	setup_sysctl "$SETUP_H" net.ipv6.conf.incusbr0.disable_ipv6=1
	ip -n "$SETUP_H" addr add 192.0.2.1/24 dev incusbr0
	ip -n "$SETUP_H" link set incusbr0 up
	ip netns exec "$SETUP_H" nft -f - <<-'NFT'
	table inet incus {
		set bridges {
			type ifname
			elements = { "incusbr0" }
		}
		chain pstrt.incusbr0 {
			type nat hook postrouting priority 100; policy accept;
			ip saddr 192.0.2.0/24 oifname @bridges accept
			ip saddr 192.0.2.0/24 ip daddr != 192.0.2.0/24 masquerade
		}
		chain fwd.incusbr0 {
			type filter hook forward priority 0; policy accept;
			ip version 4 oifname "incusbr0" accept
			ip version 4 iifname "incusbr0" accept
		}
		chain in.incusbr0 {
			type filter hook input priority 0; policy accept;
			iifname "incusbr0" tcp dport 53 accept
			iifname "incusbr0" udp dport 53 accept
			iifname "incusbr0" icmp type {3, 11, 12} accept
			iifname "incusbr0" udp dport 67 accept
			iifname "incusbr0" ip protocol udp udp checksum set 0
		}
		chain out.incusbr0 {
			type filter hook output priority 0; policy accept;
			oifname "incusbr0" tcp sport 53 accept
			oifname "incusbr0" udp sport 53 accept
			oifname "incusbr0" icmp type {3, 11, 12} accept
			oifname "incusbr0" udp sport 67 accept
			oifname "incusbr0" ip protocol udp udp checksum set 0
		}
	}
	NFT
	mkdir -p "$LAB_DIR/incus/dnsmasq.hosts"
	: >"$LAB_DIR/incus/dnsmasq.raw"
	setup_dnsmasq "$SETUP_H" incus --strict-order --bind-interfaces --except-interface=lo \
		--no-ping --interface=incusbr0 --dhcp-rapid-commit --no-negcache \
		--quiet-dhcp --quiet-dhcp6 --quiet-ra --listen-address=192.0.2.1 \
		--dhcp-no-override --dhcp-authoritative --dhcp-leasefile="$LAB_DIR/incus/dnsmasq.leases" \
		--dhcp-hostsfile="$LAB_DIR/incus/dnsmasq.hosts" \
		--dhcp-range 192.0.2.2,192.0.2.254,1h \
		-s incus --interface-name _gateway.incus,incusbr0 -S /incus/ \
		--conf-file="$LAB_DIR/incus/dnsmasq.raw"
}

# A host running VMs on bridge br0 (uplink eno1, the LAN's router behind
# it) and Docker 20.10 (Debian 12's docker.io): Docker loads br_netfilter
# with bridge-nf-call-iptables 1, sets ip_forward and the FORWARD policy
# DROP, and writes its chains as iptables-save shows them (docker0 with no
# container: down).  The admin's accept rule for the VM bridge is the one
# Docker's documentation gives: iptables -I DOCKER-USER -i br0 -o br0 -j
# ACCEPT.  docker0 gets the upper half of the doc range instead of
# 172.17.0.0/16.
setup_docker() {
	SETUP_H=$(lab_ns host)
	lan=$(lab_ns lan)
	setup_is docker br0 eno1 203.0.113.1 nas.lan.test 203.0.113.10 '203.0.113.1[0-9][0-9]' vnet 52:54:00:00:02
	setup_sysctl "$SETUP_H" net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1
	ip -n "$SETUP_H" link add eno1 type veth peer name eth0 netns "$lan"
	ip -n "$SETUP_H" link add br0 type bridge stp_state 0 forward_delay 0
	ip -n "$SETUP_H" link set br0 type bridge nf_call_iptables 1
	ip -n "$SETUP_H" link set eno1 master br0 up
	# on the LAN in the lower half: the router's pool, 203.0.113.100-199
	ip -n "$SETUP_H" addr add 203.0.113.2/24 dev br0
	ip -n "$SETUP_H" link set br0 up
	ip -n "$SETUP_H" route add default via 203.0.113.1
	ip -n "$SETUP_H" link add docker0 address 02:42:5d:00:00:01 type bridge
	ip -n "$SETUP_H" addr add 203.0.113.129/25 dev docker0
	ip netns exec "$SETUP_H" iptables-restore <<-'RULES'
	*nat
	:PREROUTING ACCEPT [0:0]
	:INPUT ACCEPT [0:0]
	:OUTPUT ACCEPT [0:0]
	:POSTROUTING ACCEPT [0:0]
	:DOCKER - [0:0]
	-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
	-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
	-A POSTROUTING -s 203.0.113.128/25 ! -o docker0 -j MASQUERADE
	-A DOCKER -i docker0 -j RETURN
	COMMIT
	*filter
	:INPUT ACCEPT [0:0]
	:FORWARD DROP [0:0]
	:OUTPUT ACCEPT [0:0]
	:DOCKER - [0:0]
	:DOCKER-ISOLATION-STAGE-1 - [0:0]
	:DOCKER-ISOLATION-STAGE-2 - [0:0]
	:DOCKER-USER - [0:0]
	-A FORWARD -j DOCKER-USER
	-A FORWARD -j DOCKER-ISOLATION-STAGE-1
	-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	-A FORWARD -o docker0 -j DOCKER
	-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
	-A FORWARD -i docker0 -o docker0 -j ACCEPT
	-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
	-A DOCKER-ISOLATION-STAGE-1 -j RETURN
	-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
	-A DOCKER-ISOLATION-STAGE-2 -j RETURN
	-A DOCKER-USER -j RETURN
	COMMIT
	RULES
	ip netns exec "$SETUP_H" iptables -I DOCKER-USER -i br0 -o br0 -j ACCEPT
	setup_lan "$lan" eth0 203.0.113
}

# setup_guest MAC: a guest namespace behind a new port of SETUP_BR named
# the setup's way (vnet0, tap100i0, veth4b2d1c0a ...), its link eth0 with
# MAC; sets GUEST_NS, GUEST_TAP, GUEST_MAC
SETUP_NGUEST=0
setup_guest() {
	GUEST_MAC=$1
	case $SETUP_TAPS in
	vnet) GUEST_TAP=vnet$SETUP_NGUEST ;;
	tap) GUEST_TAP=tap$((100 + SETUP_NGUEST))i0 ;;
	veth) GUEST_TAP=veth$(printf '%08x' $((0x4b2d1c0a + SETUP_NGUEST))) ;;
	esac
	SETUP_NGUEST=$((SETUP_NGUEST + 1))
	GUEST_NS=$(lab_ns "g$SETUP_NGUEST")
	ip -n "$SETUP_H" link add "$GUEST_TAP" type veth peer name eth0 netns "$GUEST_NS"
	# libvirt gives the host end fe: first byte so the bridge keeps its MAC
	[ "$SETUP_TAPS" = vnet ] && ip -n "$SETUP_H" link set "$GUEST_TAP" address "fe${GUEST_MAC#??}"
	ip -n "$GUEST_NS" link set eth0 address "$GUEST_MAC"
	ip -n "$SETUP_H" link set "$GUEST_TAP" master "$SETUP_BR" up
	ip -n "$GUEST_NS" link set eth0 up
	mkdir -p "/etc/netns/$GUEST_NS"
	: >"/etc/netns/$GUEST_NS/resolv.conf"
	SETUP_ETC="$SETUP_ETC $GUEST_NS"
}

# client_udhcpc NS IF: busybox udhcpc with its default timing (3
# DISCOVERs 3 s apart, then 20 s, again), exit once leased; a returning
# client asks for its previous address (-r), as a guest that kept it
client_udhcpc() {
	cu_out=$LAB_DIR/$1.udhcpc
	cat >"$LAB_DIR/udhcpc-bound.sh" <<-'SCRIPT'
	#!/bin/sh
	case $1 in bound|renew)
		ip addr add "$ip/$subnet" dev "$interface"
		echo "nameserver ${dns%% *}" >/etc/resolv.conf
		echo "$ip ${dns%% *} $serverid" >"$UDHCPC_OUT.lease" ;;
	esac
	exit 0
	SCRIPT
	chmod +x "$LAB_DIR/udhcpc-bound.sh"
	cu_req=""
	[ -s "$cu_out.lease" ] && cu_req="-r $(cut -d' ' -f1 "$cu_out.lease")"
	rm -f "$cu_out.lease"
	# shellcheck disable=SC2086
	ip netns exec "$1" env UDHCPC_OUT="$cu_out" timeout 60 busybox udhcpc -i "$2" -f -q \
		-s "$LAB_DIR/udhcpc-bound.sh" $cu_req >>"$cu_out.log" 2>&1 || return 1
	read -r CLIENT_IP CLIENT_DNS _ <"$cu_out.lease"
}

# client_dhclient NS IF: ISC dhclient 4.4 in one-try mode (-1: its default
# timeout of 60 s), lease file kept between runs: a returning client
# starts in INIT-REBOOT with its old address.  It stays running (a real
# client does) until client_stop.
client_dhclient() {
	cd_out=$LAB_DIR/$1.dhclient
	# dhclient gives its script only its own variables: the path is written in
	cat >"$cd_out.sh" <<-SCRIPT
	#!/bin/sh
	case \$reason in BOUND|REBOOT|RENEW|REBIND)
		ip addr add "\$new_ip_address/\$new_subnet_mask" dev "\$interface"
		echo "nameserver \${new_domain_name_servers%% *}" >/etc/resolv.conf
		echo "\$new_ip_address \${new_domain_name_servers%% *} \$new_dhcp_server_identifier" \\
			>"$cd_out.lease" ;;
	esac
	exit 0
	SCRIPT
	chmod +x "$cd_out.sh"
	: >"$cd_out.conf"
	rm -f "$cd_out.lease"
	ip netns exec "$1" timeout 70 dhclient -1 -d -v -cf "$cd_out.conf" -sf "$cd_out.sh" \
		-lf "$cd_out.leases" -pf "$cd_out.pid" "$2" >>"$cd_out.log" 2>&1 &
	wait_for 70 test -s "$cd_out.lease" || { client_stop "$1"; return 1; }
	read -r CLIENT_IP CLIENT_DNS _ <"$cd_out.lease"
}

# client_stop NS: the clients still running in NS (dhclient, networkd and
# its udevd) are stopped
client_stop() {
	for cs_p in $(ip netns pids "$1"); do kill "$cs_p" 2>/dev/null || true; done
	wait_for 5 sh -c "[ -z \"\$(ip netns pids '$1')\" ]" || true
}

# client_networkd NS IF: systemd-networkd's DHCP client ([Network] DHCP=
# ipv4), with its own udevd in a private /run (as in route-guest.sh).  A
# returning one is the same machine again: same MAC, same client
# identifier (from /etc/machine-id), its state directory kept; the lease
# it wrote last time is removed, so only a new one counts.  It runs until
# client_stop (stopped, it releases the lease).
client_networkd() {
	cn_out=$LAB_DIR/$1.networkd
	mkdir -p "$cn_out.netif" "$cn_out.network"
	printf '[Match]\nName=%s\n\n[Network]\nDHCP=ipv4\n' "$2" >"$cn_out.network/10-$2.network"
	cn_idx=$(ip netns exec "$1" cat "/sys/class/net/$2/ifindex")
	rm -f "$cn_out.netif/leases/$cn_idx"
	cat >"$cn_out.sh" <<-NWD
	set -e
	mount -t tmpfs tmpfs /run
	mkdir -p /run/udev /run/systemd/network /run/systemd/netif
	mount --bind "$cn_out.netif" /run/systemd/netif
	cp "$cn_out.network/10-$2.network" /run/systemd/network/
	chown -R systemd-network:systemd-network /run/systemd/netif
	/lib/systemd/systemd-udevd --daemon
	udevadm trigger --subsystem-match=net --action=add
	udevadm settle -t 3 || true
	exec timeout 70 /lib/systemd/systemd-networkd
	NWD
	ip netns exec "$1" unshare -m sh "$cn_out.sh" >>"$cn_out.log" 2>&1 &
	wait_for 70 grep -q '^ADDRESS=' "$cn_out.netif/leases/$cn_idx" || { client_stop "$1"; return 1; }
	CLIENT_IP=$(sed -n 's/^ADDRESS=//p' "$cn_out.netif/leases/$cn_idx")
	CLIENT_DNS=$(sed -n 's/^DNS=//p' "$cn_out.netif/leases/$cn_idx" | cut -d' ' -f1)
	echo "nameserver $CLIENT_DNS" >"/etc/netns/$1/resolv.conf"
	wait_for 5 sh -c "ip -n '$1' -4 addr show dev '$2' | grep -q 'inet $CLIENT_IP/'" ||
		{ client_stop "$1"; return 1; }
}

# resolve_both NS NAME ADDR SERVER: busybox nslookup at SERVER and glibc
# through resolv.conf both answer ADDR; the answers in LAB_DIR/NS.dns.*
resolve_both() {
	ip netns exec "$1" busybox nslookup "$2" "$4" >"$LAB_DIR/$1.dns.nslookup" 2>&1 || return 1
	grep -q "^Address: $3\$" "$LAB_DIR/$1.dns.nslookup" || return 1
	ip netns exec "$1" getent ahosts "$2" >"$LAB_DIR/$1.dns.getent" 2>&1 || return 1
	grep -q "^$3 " "$LAB_DIR/$1.dns.getent"
}

# What issue 14 asks of a healthy setup, asserted in full: every failed
# assertion is recorded (LAB_DIR/failures) and the run goes on, so one
# run lists every false alarm; healthy_done fails the scenario with all
# of them.
HEALTHY_FAILS=0
hfail() {
	echo "FAIL: $*" >&2
	echo "$*" >>"$LAB_DIR/failures"
	HEALTHY_FAILS=$((HEALTHY_FAILS + 1))
}
healthy_done() {
	[ "$HEALTHY_FAILS" = 0 ] || fail "$HEALTHY_FAILS assertions failed:
$(cat "$LAB_DIR/failures")"
}
# problems FILE: ids of the warning and error findings, with their device
problems() {
	jq -r '[.findings[] | select(.severity == "warning" or .severity == "error") |
		.id + "@" + (.interface // "-")] | join(" ")' "$1" 2>/dev/null
}

# healthy_check_start LABEL: netdiag check -j on the guest's tap, the
# bridge (and the uplink) in the background, for as long as the client
# takes: healthy_check_end stops it with SIGTERM, which ends the capture
# early with the report made
healthy_check_start() {
	ip netns exec "$SETUP_H" "$NETDIAG" check --bridge "$SETUP_BR" --tap "$GUEST_TAP" \
		${SETUP_UPLINK:+--uplink "$SETUP_UPLINK"} --duration 90 -j \
		>"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err" &
	hc_pid=$!
	# its rings are open when it says so
	wait_for 20 grep -q "capturing on" "$LAB_DIR/$1.err" ||
		hfail "$1: check did not start capturing: $(cat "$LAB_DIR/$1.err")"
}
healthy_check_end() {
	sleep 0.5
	kill -TERM "$hc_pid" 2>/dev/null || true
	hc_rc=0; wait "$hc_pid" || hc_rc=$?
}

# healthy_client CLIENT PASS: one run of client_CLIENT on the current
# guest with check watching, and the issue's assertions on it
healthy_client() {
	hl=$1-$2
	# with the server behind the uplink: its replies must come by unicast
	# to the guest's MAC, as the setup promises (checked with tcpdump)
	if [ -n "$SETUP_UPLINK" ]; then
		ip netns exec "$SETUP_H" timeout 60 tcpdump -c 1 -eni "$SETUP_UPLINK" \
			"ether dst $GUEST_MAC and udp src port 67" >"$LAB_DIR/$hl.unicast" 2>/dev/null &
		hu_pid=$!
	fi
	healthy_check_start "$hl"
	hc_t0=$(date +%s.%N)
	if "client_$1" "$GUEST_NS" eth0; then
		hc_secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $hc_t0" | bc -l)")
		# shellcheck disable=SC2254 # the pool is a pattern
		case $CLIENT_IP in $SETUP_POOL) ;; *) hfail "$hl: lease $CLIENT_IP outside $SETUP_POOL" ;; esac
		[ "$CLIENT_DNS" = "$SETUP_SERVER" ] || hfail "$hl: DNS server $CLIENT_DNS, expected $SETUP_SERVER"
		resolve_both "$GUEST_NS" "$SETUP_NAME" "$SETUP_ADDR" "$CLIENT_DNS" ||
			hfail "$hl: $SETUP_NAME did not resolve to $SETUP_ADDR: $(cat "$LAB_DIR/$GUEST_NS".dns.* 2>/dev/null | tr '\n' ' ')"
	else
		hc_secs=-
		hfail "$hl: the client got no lease"
	fi
	healthy_check_end
	client_stop "$GUEST_NS"
	if [ -n "$SETUP_UPLINK" ]; then
		wait_for 2 test -s "$LAB_DIR/$hl.unicast" ||
			hfail "$hl: no DHCP reply by unicast to $GUEST_MAC on $SETUP_UPLINK (setup broken?)"
		kill "$hu_pid" 2>/dev/null || true; wait "$hu_pid" 2>/dev/null || true
	fi
	f=$LAB_DIR/$hl.json
	[ "$hc_rc" = 0 ] || hfail "$hl: check exit $hc_rc, expected 0 ($(head -c 300 "$LAB_DIR/$hl.err"))"
	p=$(problems "$f")
	[ -z "$p" ] || hfail "$hl: check warnings/errors: $p"
	# the lease seen on the guest's own port, from the setup's server
	hc_lease=$(jq -r --arg t "$GUEST_TAP" --arg m "$GUEST_MAC" '.findings[] |
		select(.id == "dhcp4.lease" and .interface == $t and .fields.client == $m) |
		.fields.address + " " + .fields.server + " " + (.fields.seconds | tostring)' "$f" 2>/dev/null | head -1)
	[ "${hc_lease% *}" = "${CLIENT_IP:-?} $SETUP_SERVER" ] ||
		hfail "$hl: dhcp4.lease on $GUEST_TAP: '${hc_lease% *}', expected '${CLIENT_IP:-?} $SETUP_SERVER'"
	# the answers seen there too (nslookup and getent: A and AAAA each)
	hc_dns=$(jq -r --arg t "$GUEST_TAP" --arg s "$SETUP_SERVER" '[.findings[] |
		select(.id == "dns.latency" and .interface == $t and .fields.server == $s) |
		.fields.answered] | add // 0' "$f" 2>/dev/null)
	[ "${hc_dns:-0}" -ge 4 ] || hfail "$hl: DNS answers from $SETUP_SERVER seen on $GUEST_TAP: ${hc_dns:-0}, expected 4 or more"
	note "$SETUP_KIND $hl: lease ${CLIENT_IP:-none} in ${hc_secs} s (check: ${hc_lease##* } s on $GUEST_TAP), $hc_dns answers, check exit $hc_rc, problems: ${p:-none}"
	CLIENT_IP=""; CLIENT_DNS=""
}

# healthy_active LABEL: check --active: a probe port gets a lease and an
# answer from the setup's server, exit 0, nothing else to say
healthy_active() {
	ha_t0=$(date +%s.%N)
	ha_rc=0
	ip netns exec "$SETUP_H" "$NETDIAG" check --bridge "$SETUP_BR" --active --resolve "$SETUP_NAME" -j \
		>"$LAB_DIR/active.json" 2>"$LAB_DIR/active.err" || ha_rc=$?
	ha_secs=$(printf '%.1f' "$(echo "$(date +%s.%N) - $ha_t0" | bc -l)")
	f=$LAB_DIR/active.json
	[ "$ha_rc" = 0 ] || hfail "$1: exit $ha_rc, expected 0 ($(head -c 300 "$LAB_DIR/active.err"))"
	p=$(problems "$f")
	[ -z "$p" ] || hfail "$1: warnings/errors: $p"
	ha_lease=$(jq -r '.findings[] | select(.id == "active.lease") | .fields.address' "$f" 2>/dev/null)
	# shellcheck disable=SC2254 # the pool is a pattern
	case $ha_lease in $SETUP_POOL) ;; *) hfail "$1: active.lease '$ha_lease' outside $SETUP_POOL" ;; esac
	ha_dns=$(jq -r '.findings[] | select(.id == "active.dns-answer") | .fields.rcode + " " + .fields.resolver' "$f" 2>/dev/null)
	[ "$ha_dns" = "NOERROR $SETUP_SERVER" ] || hfail "$1: active.dns-answer '$ha_dns', expected 'NOERROR $SETUP_SERVER'"
	note "$SETUP_KIND $1: exit $ha_rc in $ha_secs s, lease ${ha_lease:-none}, answer ${ha_dns:-none}, problems: ${p:-none}"
}

# healthy_matrix: check --active on the idle host (no guest yet: what
# --active is for); each client first-time (a new guest on a port just
# plugged) and returning (the same guest rebooted: port kept, address
# gone, lease file kept); then check in text, check --active and doctor
healthy_matrix() {
	healthy_active "check --active (no guest)"
	hm_n=0
	for c in udhcpc dhclient networkd; do
		hm_n=$((hm_n + 1))
		if [ "$c" = networkd ] && ! [ -x /lib/systemd/systemd-networkd ]; then
			hfail "systemd-networkd missing (make deps)"; continue
		fi
		setup_guest "$SETUP_MAC_PREFIX:0$hm_n"
		[ "$c" = udhcpc ] && { hm_ns=$GUEST_NS; hm_tap=$GUEST_TAP; }
		healthy_client "$c" first
		ip -n "$GUEST_NS" -4 addr flush dev eth0
		healthy_client "$c" returning
		ip -n "$GUEST_NS" -4 addr flush dev eth0
	done

	# text: at most 12 lines, exit 0, with udhcpc returning once more
	GUEST_NS=$hm_ns; GUEST_TAP=$hm_tap
	ip netns exec "$SETUP_H" "$NETDIAG" check --bridge "$SETUP_BR" --tap "$GUEST_TAP" \
		${SETUP_UPLINK:+--uplink "$SETUP_UPLINK"} --duration 6 >"$LAB_DIR/text.out" 2>"$LAB_DIR/text.err" &
	ht_pid=$!
	wait_for 20 grep -q "capturing on" "$LAB_DIR/text.err" ||
		hfail "text: check did not start capturing: $(cat "$LAB_DIR/text.err")"
	client_udhcpc "$GUEST_NS" eth0 || hfail "text: the client got no lease"
	resolve_both "$GUEST_NS" "$SETUP_NAME" "$SETUP_ADDR" "$CLIENT_DNS" || hfail "text: no answer"
	ht_rc=0; wait "$ht_pid" || ht_rc=$?
	ip -n "$GUEST_NS" -4 addr flush dev eth0
	[ "$ht_rc" = 0 ] || hfail "check (text): exit $ht_rc, expected 0"
	ht_lines=$(wc -l <"$LAB_DIR/text.out")
	[ "$ht_lines" -le 12 ] || hfail "check (text): $ht_lines lines, at most 12 expected"
	note "$SETUP_KIND check text: $ht_lines lines, exit $ht_rc:"
	sed 's/^/    | /' "$LAB_DIR/text.out" >&2

	healthy_active "check --active"

	# doctor: nothing to diagnose
	hd_rc=0
	ip netns exec "$SETUP_H" "$NETDIAG" doctor --bridge "$SETUP_BR" --tap "$GUEST_TAP" \
		${SETUP_UPLINK:+--uplink "$SETUP_UPLINK"} --duration 3 -j \
		>"$LAB_DIR/doctor.json" 2>"$LAB_DIR/doctor.err" || hd_rc=$?
	f=$LAB_DIR/doctor.json
	hd_diag=$(jq -r '[.diagnoses[]? | .rule + "(" + .severity + ")"] | join(" ")' "$f" 2>/dev/null)
	hd_bad=$(jq -r '[.diagnoses[]? | select(.severity != "info") | .rule] | join(" ")' "$f" 2>/dev/null)
	[ "$hd_rc" = 0 ] || hfail "doctor: exit $hd_rc, expected 0 ($(head -c 300 "$LAB_DIR/doctor.err"))"
	[ -z "$hd_bad" ] || hfail "doctor: warning/error diagnoses: $hd_bad"
	p=$(problems "$f")
	[ -z "$p" ] || hfail "doctor: warnings/errors: $p"
	note "$SETUP_KIND doctor: exit $hd_rc, diagnoses: ${hd_diag:-none}, problems: ${p:-none}"
}

# healthy_probe: the probe guest booted on the setup's bridge (vm run
# --probe; TCG here, where /dev/kvm is not usable): exit 0, no warning or
# error, a lease from the pool and its server, the name resolved, no UDP
# checksum errors in the guest.  Needs lib-vm.sh sourced.
healthy_probe() {
	vm_env
	hv_rc=0
	ip netns exec "$SETUP_H" "$NETDIAG" vm run h1 --probe --bridge "$SETUP_BR" --resolve "$SETUP_NAME" \
		--accel "${VM_ACCEL:-tcg}" -j >"$LAB_DIR/vm.json" 2>"$LAB_DIR/vm.err" || hv_rc=$?
	f=$LAB_DIR/vm.json
	[ "$hv_rc" = 0 ] || hfail "vm run --probe: exit $hv_rc, expected 0 ($(head -c 300 "$LAB_DIR/vm.err"))"
	p=$(problems "$f")
	[ -z "$p" ] || hfail "vm run --probe: warnings/errors: $p"
	hv_ip=$(jget "$f" '.guest.nics[0].ip' 2>/dev/null)
	hv_lease=$(jget "$f" '.guest.nics[0] | (.lease | tostring) + " " + .server' 2>/dev/null)
	# shellcheck disable=SC2254
	case $hv_ip in $SETUP_POOL) ;; *) hfail "vm run --probe: guest address '$hv_ip' not in $SETUP_POOL" ;; esac
	[ "$hv_lease" = "true $SETUP_SERVER" ] || hfail "vm run --probe: guest lease '$hv_lease'"
	hv_dns=$(jget "$f" '.guest.dns[0] | .name + " " + (.resolved | tostring) + " " + .addr' 2>/dev/null)
	[ "$hv_dns" = "$SETUP_NAME true $SETUP_ADDR" ] || hfail "vm run --probe: guest DNS '$hv_dns'"
	assert_eq "$(jget "$f" '.guest.snmp.udp_in_csum_errors' 2>/dev/null)" 0 "guest UDP checksum errors"
	note "$SETUP_KIND vm run --probe: exit $hv_rc, lease $hv_ip $hv_lease in $(jget "$f" '.guest.nics[0].seconds' 2>/dev/null) s, dns $hv_dns, problems: ${p:-none}"
}
