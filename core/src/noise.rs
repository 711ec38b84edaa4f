//! The Noise primitives Kindred uses, handed to snow: X25519, ChaCha20-Poly1305 and BLAKE2s, and nothing else.
//!
//! Every Noise protocol in the library (`Noise_KK`/`Noise_XX` for sync channels, `Noise_N` for sealed items) names
//! `25519_ChaChaPoly_BLAKE2s`. snow's default resolver would also link BLAKE2b and its own copy of curve25519-dalek
//! (an older major version than ed25519-dalek's); this resolver wraps the well-kept RustCrypto and dalek crates the
//! library carries anyway, exactly as snow's default resolver does (same nonce layout, same clamping), and resolves
//! anything else to nothing, so a protocol naming another primitive fails to build instead of running.

use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use curve25519_dalek::MontgomeryPoint;
use snow::params::{CipherChoice, DHChoice, HashChoice};
use snow::resolvers::CryptoResolver;
use snow::types::{Cipher, Dh, Hash, Random};

/// Resolves the three primitives Kindred's Noise protocols name.
#[derive(Debug, Default)]
pub(crate) struct Resolver;

impl CryptoResolver for Resolver {
    fn resolve_rng(&self) -> Option<Box<dyn Random>> {
        Some(Box::new(SystemRandom))
    }

    fn resolve_dh(&self, choice: &DHChoice) -> Option<Box<dyn Dh>> {
        matches!(choice, DHChoice::Curve25519).then(|| Box::new(X25519::default()) as Box<dyn Dh>)
    }

    fn resolve_hash(&self, choice: &HashChoice) -> Option<Box<dyn Hash>> {
        matches!(choice, HashChoice::Blake2s).then(|| Box::new(Blake2s::default()) as Box<dyn Hash>)
    }

    fn resolve_cipher(&self, choice: &CipherChoice) -> Option<Box<dyn Cipher>> {
        matches!(choice, CipherChoice::ChaChaPoly).then(|| Box::new(ChaChaPoly::default()) as Box<dyn Cipher>)
    }
}

/// A snow builder for `params` with this resolver.
pub(crate) fn builder(params: snow::params::NoiseParams) -> snow::Builder<'static> {
    snow::Builder::with_resolver(params, Box::new(Resolver))
}

/// The operating system's random numbers (the same source as the rest of the library).
struct SystemRandom;

impl Random for SystemRandom {
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), snow::Error> {
        rand::fill(dest);
        Ok(())
    }
}

/// X25519 key agreement (RFC 7748): scalars are clamped on use.
#[derive(Default)]
struct X25519 {
    private: [u8; 32],
    public: [u8; 32],
}

impl X25519 {
    fn derive_public(&mut self) {
        self.public = MontgomeryPoint::mul_base_clamped(self.private).to_bytes();
    }
}

impl Dh for X25519 {
    fn name(&self) -> &'static str {
        "25519"
    }

    fn pub_len(&self) -> usize {
        32
    }

    fn priv_len(&self) -> usize {
        32
    }

    fn set(&mut self, private: &[u8]) {
        // snow hands over exactly `priv_len` bytes; anything shorter is zero-padded, as snow's own resolver does.
        self.private = [0u8; 32];
        for (to, from) in self.private.iter_mut().zip(private) {
            *to = *from;
        }
        self.derive_public();
    }

    fn generate(&mut self, rng: &mut dyn Random) -> Result<(), snow::Error> {
        rng.try_fill_bytes(&mut self.private)?;
        self.derive_public();
        Ok(())
    }

    fn pubkey(&self) -> &[u8] {
        &self.public
    }

    fn privkey(&self) -> &[u8] {
        &self.private
    }

    fn dh(&self, public: &[u8], out: &mut [u8]) -> Result<(), snow::Error> {
        let theirs: [u8; 32] = public.get(..32).and_then(|p| p.try_into().ok()).ok_or(snow::Error::Dh)?;
        let shared = MontgomeryPoint(theirs).mul_clamped(self.private).to_bytes();
        out.get_mut(..32).ok_or(snow::Error::Dh)?.copy_from_slice(&shared);
        Ok(())
    }
}

/// ChaCha20-Poly1305 as Noise uses it: the 64-bit counter little-endian after four zero bytes.
#[derive(Default)]
struct ChaChaPoly {
    key: [u8; 32],
}

fn nonce_bytes(nonce: u64) -> [u8; 12] {
    let mut bytes = [0u8; 12];
    bytes[4..].copy_from_slice(&nonce.to_le_bytes());
    bytes
}

const TAG_LEN: usize = 16;

impl Cipher for ChaChaPoly {
    fn name(&self) -> &'static str {
        "ChaChaPoly"
    }

    fn set(&mut self, key: &[u8; 32]) {
        self.key = *key;
    }

    fn encrypt(&self, nonce: u64, authtext: &[u8], plaintext: &[u8], out: &mut [u8]) -> usize {
        let len = plaintext.len();
        // snow sizes `out` for the plaintext and its tag; anything else is a bug in the caller, answered with nothing.
        let Some(body) = out.get_mut(..len) else { return 0 };
        body.copy_from_slice(plaintext);
        let Ok(tag) = ChaCha20Poly1305::new(&self.key.into()).encrypt_in_place_detached(
            &nonce_bytes(nonce).into(),
            authtext,
            body,
        ) else {
            return 0;
        };
        let Some(tag_out) = out.get_mut(len..len + TAG_LEN) else { return 0 };
        tag_out.copy_from_slice(&tag);
        len + TAG_LEN
    }

    fn decrypt(&self, nonce: u64, authtext: &[u8], ciphertext: &[u8], out: &mut [u8]) -> Result<usize, snow::Error> {
        let len = ciphertext.len().checked_sub(TAG_LEN).ok_or(snow::Error::Decrypt)?;
        let (sealed, tag) = ciphertext.split_at(len);
        let body = out.get_mut(..len).ok_or(snow::Error::Decrypt)?;
        body.copy_from_slice(sealed);
        ChaCha20Poly1305::new(&self.key.into())
            .decrypt_in_place_detached(&nonce_bytes(nonce).into(), authtext, body, tag.into())
            .map_err(|_| snow::Error::Decrypt)?;
        Ok(len)
    }
}

/// BLAKE2s-256.
#[derive(Default)]
struct Blake2s {
    hasher: blake2::Blake2s256,
}

impl Hash for Blake2s {
    fn name(&self) -> &'static str {
        "BLAKE2s"
    }

    fn block_len(&self) -> usize {
        64
    }

    fn hash_len(&self) -> usize {
        32
    }

    fn reset(&mut self) {
        self.hasher = blake2::Blake2s256::default();
    }

    fn input(&mut self, data: &[u8]) {
        blake2::Digest::update(&mut self.hasher, data);
    }

    fn result(&mut self, out: &mut [u8]) {
        let hash = blake2::Digest::finalize_reset(&mut self.hasher);
        if let Some(out) = out.get_mut(..32) {
            out.copy_from_slice(&hash);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// RFC 7748 section 6.1: Alice's and Bob's keys and their shared secret.
    #[test]
    fn x25519_agrees_with_rfc_7748() {
        let hex32 = |s: &str| -> [u8; 32] { hex::decode(s).unwrap().try_into().unwrap() };
        let mut alice = X25519::default();
        alice.set(&hex32("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        assert_eq!(alice.pubkey(), hex32("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"));
        let mut shared = [0u8; 32];
        alice.dh(&hex32("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"), &mut shared).unwrap();
        assert_eq!(shared, hex32("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742"));
    }

    #[test]
    fn chacha_poly_round_trips_and_refuses_a_changed_byte() {
        let mut cipher = ChaChaPoly::default();
        cipher.set(&[7u8; 32]);
        let mut sealed = [0u8; 5 + TAG_LEN];
        assert_eq!(cipher.encrypt(42, b"ad", b"hello", &mut sealed), 5 + TAG_LEN);
        let mut opened = [0u8; 5];
        assert_eq!(cipher.decrypt(42, b"ad", &sealed, &mut opened).unwrap(), 5);
        assert_eq!(&opened, b"hello");
        assert!(cipher.decrypt(43, b"ad", &sealed, &mut opened).is_err(), "another nonce");
        sealed[0] ^= 1;
        assert!(cipher.decrypt(42, b"ad", &sealed, &mut opened).is_err(), "a changed byte");
    }

    /// RFC 7693 appendix B: BLAKE2s-256("abc").
    #[test]
    fn blake2s_agrees_with_rfc_7693() {
        let mut hash = Blake2s::default();
        hash.input(b"abc");
        let mut out = [0u8; 32];
        hash.result(&mut out);
        assert_eq!(hex::encode(out), "508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
    }

    /// This resolver and snow's default one (linked into tests only) speak the same protocol: an XX handshake and a
    /// transport message between the two succeed both ways round.
    #[test]
    fn a_handshake_with_snows_default_primitives_succeeds() {
        let params: snow::params::NoiseParams = "Noise_XX_25519_ChaChaPoly_BLAKE2s".parse().unwrap();
        let default_keys = snow::Builder::new(params.clone()).generate_keypair().unwrap();
        let our_keys = builder(params.clone()).generate_keypair().unwrap();
        let mut ours = builder(params.clone()).local_private_key(&our_keys.private).unwrap().build_initiator().unwrap();
        let mut theirs =
            snow::Builder::new(params).local_private_key(&default_keys.private).unwrap().build_responder().unwrap();
        let (mut a, mut b) = ([0u8; 1024], [0u8; 1024]);
        let n = ours.write_message(b"", &mut a).unwrap();
        theirs.read_message(&a[..n], &mut b).unwrap();
        let n = theirs.write_message(b"", &mut a).unwrap();
        ours.read_message(&a[..n], &mut b).unwrap();
        let n = ours.write_message(b"", &mut a).unwrap();
        theirs.read_message(&a[..n], &mut b).unwrap();
        assert_eq!(ours.get_remote_static().unwrap(), default_keys.public.as_slice());
        assert_eq!(theirs.get_remote_static().unwrap(), our_keys.public.as_slice());
        let mut ours = ours.into_transport_mode().unwrap();
        let mut theirs = theirs.into_transport_mode().unwrap();
        let n = ours.write_message(b"over the link", &mut a).unwrap();
        let m = theirs.read_message(&a[..n], &mut b).unwrap();
        assert_eq!(&b[..m], b"over the link");
        let n = theirs.write_message(b"and back", &mut a).unwrap();
        let m = ours.read_message(&a[..n], &mut b).unwrap();
        assert_eq!(&b[..m], b"and back");
        assert!(builder("Noise_NN_25519_AESGCM_SHA256".parse().unwrap()).build_initiator().is_err());
    }
}
