//! `stb-app frontend info`: what the tuner is and can do, as FE_GET_INFO and DTV_ENUM_DELSYS say.

use stb_app::dvb::Adapter;

use super::{print_json, CliResult};

pub fn info(adapter: u32, json: bool) -> CliResult {
    let adapter = Adapter::open(adapter)?;
    let fe = adapter.frontend(false)?;
    let info = fe.info()?;
    if json {
        print_json(&info)?;
        return Ok(0);
    }
    // Satellite-only drivers give kHz; multi-standard drivers give Hz.
    let scale = if info.frequency_max > 100_000_000 {
        1e6
    } else {
        1e3
    };
    println!("Frontend:          {} ({})", info.name, fe.path().display());
    println!("DVB API:           {}", info.api_version);
    println!("Delivery systems:  {}", info.delivery_systems.join(" "));
    println!(
        "Frequency range:   {:.3} - {:.3} MHz, step {:.4} MHz, tolerance {:.4} MHz",
        f64::from(info.frequency_min) / scale,
        f64::from(info.frequency_max) / scale,
        f64::from(info.frequency_step) / scale,
        f64::from(info.frequency_tolerance) / scale
    );
    if info.symbol_rate_max > 0 {
        println!(
            "Symbol rate range: {} - {} kS/s",
            info.symbol_rate_min / 1000,
            info.symbol_rate_max / 1000
        );
    }
    println!("Capabilities:      {}", info.capabilities.join(" "));
    Ok(0)
}
