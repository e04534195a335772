//! A test-only plugin that misbehaves on request, to prove the host survives and explains:
//! parameter `mode` = `ok`, `panic-create`, `panic-load`, `error`, `wrong-length`, `nan`, `inf`
//! or `bad-flag`; features `wrong-abi` and `short-descriptor` corrupt the descriptor itself.

use resil_plugin_sdk::{export_plugin, Indicator, Output, Params, Plugin, Request};

pub struct Misbehaving {
    mode: String,
}

impl Plugin for Misbehaving {
    const NAME: &'static str = "misbehaving";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");
    const DESCRIPTION: &'static str = "breaks the plugin rules on request (tests only)";

    fn indicators() -> Vec<Indicator> {
        vec![Indicator::new("BAD1", "a value that may be wrong", "none")]
    }

    fn create(params: &Params, _data_dir: &std::path::Path) -> Result<Self, String> {
        params.only(&["mode"])?;
        let mode = params.choice(
            "mode",
            &["ok", "panic-create", "panic-load", "error", "wrong-length", "nan", "inf", "bad-flag"],
            "ok",
        )?;
        if mode == "panic-create" {
            panic!("deliberate panic in create");
        }
        Ok(Misbehaving { mode })
    }

    fn load(&self, request: &Request, out: &mut Output) -> Result<(), String> {
        let n = request.units.len() * request.periods.len();
        match self.mode.as_str() {
            "panic-load" => panic!("deliberate panic in load"),
            "error" => return Err("deliberate failure: the data is not there".into()),
            "wrong-length" => out.replace_values_for_tests(vec![1.0; n + 3], vec![1; n + 3]),
            "bad-flag" => out.replace_values_for_tests(vec![1.0; n], vec![7; n]),
            _ => {
                for t in 0..request.periods.len() {
                    for u in 0..request.units.len() {
                        out.set(0, t, u, (u + 10 * t) as f64);
                    }
                }
                let bad = match self.mode.as_str() {
                    "nan" => f64::NAN,
                    "inf" => f64::INFINITY,
                    _ => return Ok(()),
                };
                out.set(0, request.periods.len() - 1, 0, bad);
            }
        }
        Ok(())
    }
}

#[cfg(not(any(feature = "wrong-abi", feature = "short-descriptor")))]
export_plugin!(Misbehaving);

#[cfg(feature = "wrong-abi")]
export_plugin!(Misbehaving, tamper = |d: &mut resil_plugin_sdk::abi::PluginDescriptor| d.abi_version = 99);

#[cfg(feature = "short-descriptor")]
export_plugin!(Misbehaving, tamper = |d: &mut resil_plugin_sdk::abi::PluginDescriptor| d.descriptor_size = 16);
